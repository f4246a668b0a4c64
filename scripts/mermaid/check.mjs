// Checks Mermaid diagrams with Mermaid's own parser, the one GitHub renders
// with. (`@mermaid-js/parser` covers only the newer diagram types, not
// flowcharts, so the full package runs here on a jsdom window.)
//
// Usage: node scripts/mermaid/check.mjs FILE...
//   A `.md` file is checked block by block (every ```mermaid fence, and it
//   must have one); any other file is one diagram.
// Env: PALISADE_NODE_VALIDATORS, the directory scripts/graph-validators.sh
//   installed into (default <repo>/.node-validators).
// Exit: 0 all parse, 1 a diagram does not parse, 2 usage or setup problem.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.mjs FILE...');
  process.exit(2);
}
const root =
  (process.env.PALISADE_NODE_VALIDATORS && resolve(process.env.PALISADE_NODE_VALIDATORS)) ||
  fileURLToPath(new URL('../../.node-validators/', import.meta.url));
const require = createRequire(join(root, 'package.json'));
let mermaid;
try {
  const { JSDOM } = require('jsdom');
  const { window } = new JSDOM('');
  // Mermaid sanitizes labels with DOMPurify, which needs a window at import.
  globalThis.window = window;
  globalThis.document = window.document;
  mermaid = (await import(pathToFileURL(require.resolve('mermaid')).href)).default;
} catch (error) {
  console.error(`check-mermaid: cannot load mermaid from ${root} (run scripts/graph-validators.sh): ${error.message}`);
  process.exit(2);
}

function diagrams(file, text) {
  if (!file.endsWith('.md')) {
    return [text];
  }
  const blocks = [...text.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  if (blocks.length === 0) {
    throw new Error('no ```mermaid block');
  }
  return blocks;
}

let failed = 0;
for (const file of files) {
  try {
    const blocks = diagrams(file, readFileSync(file, 'utf8'));
    for (const block of blocks) {
      const result = await mermaid.parse(block);
      if (!result || !String(result.diagramType).startsWith('flowchart')) {
        throw new Error(`not a flowchart: ${JSON.stringify(result)}`);
      }
    }
    console.log(`ok ${file} (${blocks.length} diagram${blocks.length === 1 ? '' : 's'})`);
  } catch (error) {
    failed += 1;
    console.log(`FAILED ${file}: ${error.message}`);
  }
}
process.exit(failed === 0 ? 0 : 1);

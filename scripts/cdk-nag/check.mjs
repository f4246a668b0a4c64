// cdk-nag's AwsSolutions pack over one generated CloudFormation template,
// read through aws-cdk-lib's CfnInclude. Honours the template's
// `Metadata.cdk_nag.rules_to_suppress` (cdk-nag v2's format, which Palisade
// writes) by acknowledging each entry on its resource the way cdk-nag v3
// reads suppressions: `id`, or `id[finding]` for each `applies_to` entry.
//
// Usage: node check.mjs TEMPLATE
// Prints every unsuppressed finding and a summary line; exits 1 on any
// unsuppressed error, 2 on bad usage or a template CfnInclude cannot read.
import { createRequire } from "node:module";
import path from "node:path";

// Resolve the packages next to this script's installed copy (the
// validators directory), wherever the script itself is run from.
const require = createRequire(path.resolve(process.env.CDK_NAG_VALIDATORS ?? ".", "package.json"));
const { App, Stack, CfnResource, Validations } = require("aws-cdk-lib");
const { CfnInclude } = require("aws-cdk-lib/cloudformation-include");
const { AwsSolutionsChecks, NagRuleCompliance } = require("cdk-nag");

const template = process.argv[2];
if (!template || process.argv.length !== 3) {
  console.error("usage: node check.mjs TEMPLATE");
  process.exit(2);
}

function resources(scope) {
  const found = [];
  const walk = (node) => {
    if (CfnResource.isCfnResource(node)) found.push(node);
    for (const child of node.node.children) walk(child);
  };
  walk(scope);
  return found;
}

// One run: a fresh app, the pack, and optionally the template's suppressions.
function run(honourSuppressions) {
  const app = new App();
  const stack = new Stack(app, "Palisade");
  try {
    new CfnInclude(stack, "Template", { templateFile: path.resolve(template) });
  } catch (error) {
    console.error(`cdk-nag: cannot include ${template}: ${error.message}`);
    process.exit(2);
  }
  let suppressions = 0;
  if (honourSuppressions) {
    for (const resource of resources(app)) {
      const rules = resource.cfnOptions.metadata?.cdk_nag?.rules_to_suppress ?? [];
      for (const rule of rules) {
        if (typeof rule.reason !== "string" || rule.reason.length < 10) {
          console.error(`cdk-nag: ${resource.node.path}: suppression of ${rule.id} has no reason`);
          process.exit(2);
        }
        const ids = rule.applies_to ? rule.applies_to.map((a) => `${rule.id}[${a}]`) : [rule.id];
        for (const id of ids) {
          Validations.of(resource).acknowledge({ id, reason: rule.reason });
          suppressions += 1;
        }
      }
    }
  }
  const pack = new AwsSolutionsChecks(app);
  const tally = { compliant: 0, notApplicable: 0, nonCompliant: 0 };
  const applyRule = pack.applyRule.bind(pack);
  pack.applyRule = (params) => {
    const rule = params.rule;
    const counted = (node) => {
      const result = rule(node);
      if (result === NagRuleCompliance.COMPLIANT) tally.compliant += 1;
      else if (result === NagRuleCompliance.NOT_APPLICABLE) tally.notApplicable += 1;
      else tally.nonCompliant += 1;
      return result;
    };
    Object.defineProperty(counted, "name", { value: rule.name });
    applyRule({ ...params, rule: counted });
  };
  const report = pack.validateScope(app);
  const findings = report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({ rule: v.ruleName, severity: v.severity, path: r.constructPath, description: v.description })),
  );
  return { findings, tally, suppressions };
}

const all = run(false);
const left = run(true);
for (const f of left.findings) {
  console.log(`[${f.severity}] ${f.rule} at ${f.path.replace(/^Palisade\/Template\//, "")}: ${f.description}`);
}
// What the template's suppressions answered, by rule (findings of one rule
// on several resources, or per wildcard resource for IAM5, count each).
const remaining = new Set(left.findings.map((f) => `${f.rule} ${f.path}`));
const byRule = new Map();
for (const f of all.findings.filter((f) => !remaining.has(`${f.rule} ${f.path}`))) {
  const rule = f.rule.replace(/\[.*$/, "");
  byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
}
if (byRule.size > 0) {
  console.log(`  suppressed: ${[...byRule].sort().map(([rule, n]) => `${rule} x${n}`).join(", ")}`);
}
const errors = left.findings.filter((f) => f.severity === "error").length;
const warnings = left.findings.length - errors;
const suppressed = all.findings.length - left.findings.length;
console.log(
  `cdk-nag summary: compliant ${left.tally.compliant}, findings ${all.findings.length}, suppressed ${suppressed}, ` +
    `unsuppressed errors ${errors}, unsuppressed warnings ${warnings}`,
);
process.exit(errors > 0 ? 1 : 0);

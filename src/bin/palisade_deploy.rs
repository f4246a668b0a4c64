//! `palisade-deploy`: what `palisade deploy` runs (src/cli/deploy.rs).

use std::io::{IsTerminal, Write};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let no_color = std::env::var_os("NO_COLOR").is_some();
    let color = std::io::stderr().is_terminal() && !no_color;
    let color_stdout = std::io::stdout().is_terminal() && !no_color;
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let code = palisade::cli::deploy_main(
        std::env::args_os(),
        &mut palisade::cli::Io {
            stdout: &mut stdout,
            stderr: &mut stderr,
            color,
            color_stdout,
        },
    );
    let _ = stdout.flush();
    std::process::exit(code);
}

use std::io::{IsTerminal, Write};

// A build allocates many small strings and frees them all at the end:
// mimalloc cut the 1,000-function build by a third and the process's page
// faults from 800 to 260 against glibc malloc (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let no_color = std::env::var_os("NO_COLOR").is_some();
    let color = std::io::stderr().is_terminal() && !no_color;
    let color_stdout = std::io::stdout().is_terminal() && !no_color;
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let code = palisade::cli::main(
        std::env::args_os(),
        &mut palisade::cli::Io {
            stdout: &mut stdout,
            stderr: &mut stderr,
            color,
            color_stdout,
        },
    );
    // `exit` skips destructors, so flush what is buffered first.
    let _ = stdout.flush();
    std::process::exit(code);
}

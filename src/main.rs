use std::io::{IsTerminal, Write};

fn main() {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let code = palisade::cli::main(
        std::env::args_os(),
        &mut palisade::cli::Io {
            stdout: &mut stdout,
            stderr: &mut stderr,
            color,
        },
    );
    // `exit` skips destructors, so flush what is buffered first.
    let _ = stdout.flush();
    std::process::exit(code);
}

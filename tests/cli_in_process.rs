//! `cli::main` writes only through the `Io` it is given: run in-process with
//! captured sinks, every command prints exactly what the binary prints. A
//! command that wrote to the real stdout or stderr directly would show up
//! here as a difference.

mod support;

use support::palisade;

fn in_process(args: &[&str]) -> (i32, String, String) {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = palisade::cli::main(
        std::iter::once("palisade").chain(args.iter().copied()),
        &mut palisade::cli::Io {
            stdout: &mut stdout,
            stderr: &mut stderr,
            color: false,
            color_stdout: false,
        },
    );
    (
        code,
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

fn as_process(args: &[&str]) -> (i32, String, String) {
    let output = palisade().args(args).env("NO_COLOR", "1").output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn every_command_writes_only_through_io() {
    let orders = "examples/orders/palisade.yaml";
    let cases: &[&[&str]] = &[
        &["validate", orders],
        &["validate", "--format", "json", "does/not/exist.yaml"],
        &["check", orders],
        &["check", "--format", "sarif", orders],
        &["graph", orders],
        &["graph", "--format", "dot", orders],
        &["controls"],
        &["controls", "--format", "json"],
        &["explain", "PAL-IAM-001"],
        &["explain", "PAL-NOPE-001"],
        &["diff", orders, "examples/webhooks/palisade.yaml"],
        &["diff", "--format", "json", orders, orders],
        &["no-such-command"],
        &["--help"],
    ];
    for args in cases {
        assert_eq!(
            in_process(args),
            as_process(args),
            "palisade {}",
            args.join(" ")
        );
    }
}

//! Writes a synthetic service of N functions (the benchmarks' generator) to
//! a directory, for timing whole `palisade build` processes at any size:
//! `cargo run --example synthetic-spec -- 1000 target/bench/1000`

#[path = "mod.rs"]
mod support;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(functions), Some(dir)) = (args.next(), args.next()) else {
        eprintln!("usage: synthetic-spec FUNCTIONS DIR");
        std::process::exit(2);
    };
    let functions: usize = functions.parse().expect("FUNCTIONS is a number");
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir.join("src")).expect("create the directory");
    std::fs::write(dir.join("palisade.yaml"), support::spec(functions)).expect("write the spec");
    std::fs::write(
        dir.join("src/app.py"),
        "def handler(event, context):\n    return {\"statusCode\": 200}\n",
    )
    .expect("write the handler");
}

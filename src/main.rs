// A build allocates many small strings and frees them all at the end:
// mimalloc cut the 1,000-function build by a third and the process's page
// faults from 800 to 260 against glibc malloc (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    palisade::cli::run_process(palisade::cli::main)
}

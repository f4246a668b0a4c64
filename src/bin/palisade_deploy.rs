//! `palisade-deploy`: what `palisade deploy` runs (src/cli/deploy.rs).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    palisade::cli::run_process(palisade::cli::deploy_main)
}

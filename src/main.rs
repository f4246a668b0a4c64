// A build allocates many small strings and frees them all at the end:
// mimalloc cut the 1,000-function build by a third and the process's page
// faults from 800 to 260 against glibc malloc (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's `mi_option_set` and the index of its `purge_delay` option
// (`mi_option_e` in mimalloc 2's mimalloc.h; libmimalloc-sys names the
// options around it, 14 and 16, but not this one).
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

fn main() {
    // Never hand freed memory back to the kernel: a build is a short
    // process, and memory purged 10 ms after it was freed (mimalloc's
    // default) costs a fresh page fault and a zeroed page when the next
    // stage reuses it. On a VM that is most of the system time of a
    // 1,000-function build (142 → 50 ms, BENCHMARKS.md).
    // SAFETY: sets an integer option; called before any other thread starts.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    palisade::cli::run_process(palisade::cli::main)
}

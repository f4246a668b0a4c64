//! What a short-lived `palisade` process may skip. Freeing a large build's
//! data (the templates of a 1,000-function service, its plan, its outputs)
//! costs about a sixth of the build's CPU, and the kernel takes the
//! memory back at exit anyway: in a process that exits after its command,
//! [`discard`] frees nothing. Library callers (tests, embedders) never set
//! it, so they get ordinary drops.

use std::sync::atomic::{AtomicBool, Ordering};

static EXITS_AFTER_COMMAND: AtomicBool = AtomicBool::new(false);

/// Declares that this process exits when its command returns
/// (`cli::run_process`).
pub fn exits_after_command() {
    EXITS_AFTER_COMMAND.store(true, Ordering::Relaxed);
}

/// Takes [`exits_after_command`] back: for a command that compiles several
/// specs in one process (`build services/*/`), whose memory would add up.
pub fn frees_as_it_goes() {
    EXITS_AFTER_COMMAND.store(false, Ordering::Relaxed);
}

/// Drops `value`, or, in a process that exits after its command, leaves
/// it for the kernel to reclaim with the rest of the process.
pub fn discard<T>(value: T) {
    if EXITS_AFTER_COMMAND.load(Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop(value);
    }
}

/// `work` over `items[..middle]` on this thread and `items[middle..]` on
/// another, results in order: the large renderings and hashes of a build,
/// on its two cores. A panic on the other thread is re-raised here.
pub fn in_two_halves<T: Sync, R: Send>(
    items: &[T],
    middle: usize,
    work: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let (first, second) = items.split_at(middle.min(items.len()));
    std::thread::scope(|scope| {
        let other = scope.spawn(|| work(second));
        let mut done = work(first);
        done.extend(
            other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        );
        done
    })
}

//! The parallel loop, and nothing else: `n` items cut into blocks, each
//! worker thread of a pool taking the next block from a shared counter and
//! working it into its own state. Which thread took which block depends on
//! timing; a caller whose per-item work depends only on the item's index and
//! whose states merge in any order (integer counts, as wfsim's aggregates)
//! gets the same result at any thread count. Generic, so that it is tested
//! here with a toy worker, as hyperfine tests its scheduler with a mock
//! executor.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::ThreadPool;

/// Works items `0..n` in blocks of `block` on every thread of `pool`: each
/// thread makes a state with `start`, calls `work(state, block index,
/// items)` for each block it takes, and ends with `finish(state)`. Returns
/// the finished states in thread order. When `cancel` is set, threads stop
/// taking blocks (the caller must then not trust the result).
pub fn in_blocks<S, R: Send>(
    pool: &ThreadPool,
    n: usize,
    block: usize,
    cancel: &AtomicBool,
    start: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize, Range<usize>) + Sync,
    finish: impl Fn(S) -> R + Sync,
) -> Vec<R> {
    let block = block.max(1);
    let blocks = n.div_ceil(block);
    let next = AtomicUsize::new(0);
    pool.broadcast(|_| {
        let mut state = start();
        loop {
            let b = next.fetch_add(1, Ordering::Relaxed);
            if b >= blocks || cancel.load(Ordering::Relaxed) {
                break;
            }
            work(&mut state, b, b * block..((b + 1) * block).min(n));
        }
        finish(state)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize) -> ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    /// A toy worker: which items it saw, and an order-free digest of them.
    fn toy(threads: usize, n: usize, block: usize) -> (Vec<u32>, u64) {
        let cancel = AtomicBool::new(false);
        let states = in_blocks(
            &pool(threads),
            n,
            block,
            &cancel,
            || (vec![0u32; n], 0u64),
            |(seen, sum), b, items| {
                assert_eq!(items.start, b * block);
                for i in items {
                    seen[i] += 1;
                    *sum = sum.wrapping_add((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 8);
                }
            },
            |s| s,
        );
        assert_eq!(states.len(), threads);
        states
            .into_iter()
            .fold((vec![0; n], 0), |(mut a, s), (b, t)| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                (a, s.wrapping_add(t))
            })
    }

    #[test]
    fn every_item_is_worked_once_whatever_the_threads_and_blocks() {
        let one = toy(1, 1000, 64);
        assert!(one.0.iter().all(|&c| c == 1));
        for (threads, block) in [(2, 64), (3, 1), (7, 5), (7, 1000), (4, 2000)] {
            assert_eq!(
                toy(threads, 1000, block),
                one,
                "{threads} threads, blocks of {block}"
            );
        }
        assert_eq!(toy(3, 0, 8).1, 0, "no items, no work");
    }

    #[test]
    fn a_cancelled_loop_takes_no_more_blocks() {
        let cancel = AtomicBool::new(true);
        let worked = in_blocks(
            &pool(2),
            100,
            10,
            &cancel,
            || 0,
            |k, _, r| *k += r.len(),
            |k| k,
        );
        assert_eq!(worked.iter().sum::<usize>(), 0);
    }
}

//! Owns splitting a long run of independent jobs over two threads: at
//! 10,000 profile files, rendering them, reading the files in the home and
//! making their diffs (no file's job touches another's) on two threads
//! took 5 to 7 % off a check and a diff (docs/performance.md). A short run
//! stays on one thread: a thread costs more than a few files. Merging the
//! profile files in two halves was measured too, and gained nothing.
//!
//! The halves are of equal work, not of equal length, when the caller
//! says what each job weighs ([`map_weighed`]): config.toml with 10,000
//! providers weighs as much to render as all the profile files together,
//! and split by count the first half carried it and half the rest.
//!
//! Two halves, not a pool: the development machine has two cores, most have
//! more, and two halves keep the order (and the error said) that one thread
//! would give without a crate for it.

/// From how many jobs two threads pay: a thread costs more than a few
/// files' work.
pub const FROM: usize = 256;

/// `each` over the two halves of `items` at once when there are at least
/// [`FROM`] of them (the first half here, the second on a thread), else over
/// all of them here; the results in the order of `items`. Of two errors,
/// the first half's is returned, as a run one after the other would stop
/// there first. `each` gets a whole half, so that what it builds up as it
/// goes (the folders [`crate::write::Targets`] walked) stays its own.
pub fn map<T: Send, U: Send, E: Send>(
    items: Vec<T>,
    each: impl Fn(Vec<T>) -> Result<Vec<U>, E> + Sync,
) -> Result<Vec<U>, E> {
    map_weighed(items, |_| 1, each)
}

/// [`map`], with the halves split where the work (each job's `weight`, in
/// any unit) is half done instead of at half the jobs: the first half ends
/// with the job that reaches half the total, so it holds one job at least
/// and the second may be empty.
pub fn map_weighed<T: Send, U: Send, E: Send>(
    items: Vec<T>,
    weight: impl Fn(&T) -> u64,
    each: impl Fn(Vec<T>) -> Result<Vec<U>, E> + Sync,
) -> Result<Vec<U>, E> {
    if items.len() < FROM {
        return each(items);
    }
    let mut first = items;
    let second = first.split_off(split_at(&first, weight));
    let (first, second) = both(|| each(first), || each(second));
    let mut all = first?;
    all.extend(second?);
    Ok(all)
}

/// `first` here and `second` on a thread, at once; with no thread to be
/// had (a limit on processes), `second` here after `first`. A panic on the
/// thread goes on here. Two independent jobs of a large run: the halves
/// above, a large catalog file's two parts, config.toml's merge beside the
/// profile files', the state beside the catalog.
pub fn both<A, B: Send>(first: impl FnOnce() -> A, second: impl FnOnce() -> B + Send) -> (A, B) {
    // Where `second` waits: the thread takes it, or this one does when the
    // thread could not be made (the closure given to it is then dropped
    // without running).
    let waiting = std::sync::Mutex::new(Some(second));
    let run = || {
        waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .map(|second| second())
    };
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().spawn_scoped(scope, run).ok();
        let first = first();
        let second = match thread {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => run(),
        };
        (
            first,
            second.expect("the second job runs once, here or on the thread"),
        )
    })
}

/// Where the second half starts: after the job that brings the running
/// weight to half the total (rounded up).
fn split_at<T>(items: &[T], weight: impl Fn(&T) -> u64) -> usize {
    let weights: Vec<u64> = items.iter().map(weight).collect();
    let total: u64 = weights.iter().fold(0, |sum, w| sum.saturating_add(*w));
    let half = total.div_ceil(2);
    let mut done = 0u64;
    weights
        .iter()
        .position(|w| {
            done = done.saturating_add(*w);
            done >= half
        })
        .map_or(items.len(), |last| last + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_and_the_first_error_are_a_single_threads() {
        let double = |half: Vec<i32>| -> Result<Vec<i32>, i32> {
            half.into_iter()
                .map(|n| if n < 0 { Err(n) } else { Ok(n * 2) })
                .collect()
        };
        let items: Vec<i32> = (0..1000).collect();
        let want: Vec<i32> = items.iter().map(|n| n * 2).collect();
        assert_eq!(map(items, double), Ok(want));
        let few: Vec<i32> = (0..100).collect();
        assert_eq!(
            map(few.clone(), double),
            Ok(few.iter().map(|n| n * 2).collect())
        );
        let mut failing: Vec<i32> = (0..1000).collect();
        failing[900] = -900;
        assert_eq!(map(failing.clone(), double), Err(-900));
        failing[100] = -100;
        assert_eq!(map(failing, double), Err(-100));
        assert_eq!(map(Vec::new(), double), Ok(Vec::new()));
        // Two threads from FROM on, each with its own half; one below it.
        let threads = |n: i32| {
            map((0..n).collect(), |half: Vec<i32>| {
                Ok::<_, ()>(vec![(half.len(), std::thread::current().id())])
            })
            .unwrap()
        };
        let two = threads(512);
        assert_eq!((two[0].0, two[1].0), (256, 256));
        assert_ne!(two[0].1, two[1].1);
        assert_eq!(threads(255).len(), 1);
    }

    #[test]
    fn both_jobs_run_at_once_and_a_panic_goes_on_here() {
        let here = std::thread::current().id();
        let (a, b) = both(
            || std::thread::current().id(),
            || std::thread::current().id(),
        );
        assert_eq!(a, here);
        assert_ne!(b, here);
        let panicked = std::panic::catch_unwind(|| both(|| 1, || -> i32 { panic!("second") }));
        assert!(panicked.is_err());
    }

    #[test]
    fn the_halves_are_of_equal_weight() {
        let ones = |n: usize| vec![1u64; n];
        // By count: the middle, the first half the larger when odd.
        assert_eq!(split_at(&ones(512), |w| *w), 256);
        assert_eq!(split_at(&ones(513), |w| *w), 257);
        // A first job as heavy as the rest: alone in the first half.
        let mut heavy = ones(300);
        heavy[0] = 299;
        assert_eq!(split_at(&heavy, |w| *w), 1);
        // Heavier than the rest: still alone, never an empty first half.
        heavy[0] = 10_000;
        assert_eq!(split_at(&heavy, |w| *w), 1);
        // A heavy last job: everything before it is the first half.
        let mut last = ones(300);
        last[299] = 299;
        assert_eq!(split_at(&last, |w| *w), 299);
        // Nothing weighs anything: the first half takes the first job.
        assert_eq!(split_at(&vec![0u64; 300], |w| *w), 1);
        // Weights that would overflow a sum still split.
        assert_eq!(split_at(&[u64::MAX, u64::MAX, 1], |w| *w), 1);
        // The results come back in order whatever the split.
        let items: Vec<u64> = (0..400).collect();
        let weighed = map_weighed(
            items.clone(),
            |&n| if n == 0 { 1_000 } else { 1 },
            |half: Vec<u64>| Ok::<_, ()>(half.iter().map(|n| n * 3).collect()),
        );
        assert_eq!(weighed, Ok(items.iter().map(|n| n * 3).collect()));
    }
}

//! Owns running a child process that must answer: every program codexgen
//! starts and waits for (`codex --version`, the load check) runs through
//! [`run`], which kills and reaps it when it has not finished within its
//! time limit (with whatever it started: it runs in its own process group)
//! and keeps at most a stated number of bytes of what it prints.
//! Does not decide what the answer means; `detect` and `verify` do.
//! (`exec` is not here: it hands the terminal to Codex for good.)

use std::io::Read as _;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::Duration;

use wait_timeout::ChildExt as _;

/// Which of the child's output streams to keep (the other is discarded).
#[derive(Debug, Clone, Copy)]
pub enum Keep {
    Stdout,
    Stderr,
}

/// How a child ended.
#[derive(Debug)]
pub struct Finished {
    /// `None` when it did not finish in time and was killed.
    pub status: Option<ExitStatus>,
    /// The kept stream: at most the limit given to [`run`].
    pub output: Vec<u8>,
}

/// After the child is gone, how long to wait for the rest of its output: a
/// grandchild can hold the pipe open, and it is not waited for.
const GRACE: Duration = Duration::from_millis(500);

/// Runs `cmd` with stdin closed, keeping the first `limit` bytes of one
/// output stream (the rest is read and dropped, so a chatty child never
/// blocks on a full pipe), and kills it after `timeout`.
pub fn run(
    cmd: &mut Command,
    keep: Keep,
    limit: usize,
    timeout: Duration,
) -> std::io::Result<Finished> {
    cmd.stdin(Stdio::null());
    match keep {
        Keep::Stdout => cmd.stdout(Stdio::piped()).stderr(Stdio::null()),
        Keep::Stderr => cmd.stdout(Stdio::null()).stderr(Stdio::piped()),
    };
    #[cfg(unix)]
    {
        // Its own process group, so that a timeout stops whatever it started
        // too (npm's `codex` is a node script that starts the native binary).
        use std::os::unix::process::CommandExt as _;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn()?;
    // Only the kept stream is piped; the other goes to /dev/null.
    let pipe: Box<dyn std::io::Read + Send> = match (child.stdout.take(), child.stderr.take()) {
        (Some(out), _) => Box::new(out),
        (None, Some(err)) => Box::new(err),
        (None, None) => Box::new(std::io::empty()),
    };
    let (kept, finished) = collect(pipe, limit);
    let status = wait(&mut child, timeout)?;
    let _ = finished.recv_timeout(GRACE);
    let output = std::mem::take(&mut *kept.lock().unwrap_or_else(PoisonError::into_inner));
    Ok(Finished { status, output })
}

/// A pipe being read on its own thread: what came so far (shared, so that
/// what came before a grandchild kept the pipe open is still there), and
/// the signal that the pipe closed.
type Collecting = (Arc<Mutex<Vec<u8>>>, mpsc::Receiver<()>);

/// Reads `pipe` to its end on a thread, keeping the first `limit` bytes
/// and dropping the rest, so a chatty child never blocks on a full pipe.
fn collect(pipe: Box<dyn std::io::Read + Send>, limit: usize) -> Collecting {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let (done, finished) = mpsc::channel();
    let buffer = Arc::clone(&kept);
    std::thread::spawn(move || {
        let mut pipe = pipe;
        let mut chunk = [0; 8192];
        while let Ok(n @ 1..) = pipe.read(&mut chunk) {
            let mut kept = buffer.lock().unwrap_or_else(PoisonError::into_inner);
            let room = limit.saturating_sub(kept.len());
            kept.extend_from_slice(&chunk[..n.min(room)]);
        }
        let _ = done.send(());
    });
    (kept, finished)
}

/// The child's exit status, or `None` after killing and reaping it.
fn wait(child: &mut Child, timeout: Duration) -> std::io::Result<Option<ExitStatus>> {
    match child.wait_timeout(timeout) {
        Ok(Some(status)) => Ok(Some(status)),
        Ok(None) => {
            kill(child);
            child.wait()?;
            Ok(None)
        }
        Err(e) => {
            kill(child);
            let _ = child.wait();
            Err(e)
        }
    }
}

/// Kills the child and everything in its process group.
fn kill(child: &mut Child) {
    #[cfg(unix)]
    {
        let group = rustix::process::Pid::from_child(child);
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::Instant;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("/bin/sh");
        cmd.args(["-c", script]);
        cmd
    }

    #[test]
    fn output_is_kept_up_to_the_limit() {
        let done = run(
            &mut sh("echo hello; echo noise >&2"),
            Keep::Stdout,
            3,
            Duration::from_secs(10),
        )
        .unwrap();
        assert!(done.status.unwrap().success());
        assert_eq!(done.output, b"hel");
    }

    #[test]
    fn endless_output_neither_blocks_nor_grows() {
        let start = Instant::now();
        let done = run(
            &mut sh("head -c 50000000 /dev/zero; echo done >&2"),
            Keep::Stdout,
            1024,
            Duration::from_secs(20),
        )
        .unwrap();
        assert!(done.status.unwrap().success());
        assert_eq!(done.output.len(), 1024);
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    /// A key command's `timeout_ms` may be as large as the catalog allows
    /// (`i64::MAX` ms): no deadline is built from it, so nothing overflows.
    #[test]
    fn the_largest_timeout_does_not_overflow() {
        let most = Duration::from_millis(u64::try_from(i64::MAX).unwrap());
        for timeout in [most, Duration::MAX] {
            let done = run(&mut sh("echo k"), Keep::Stdout, 16, timeout).unwrap();
            assert!(done.status.unwrap().success());
            assert_eq!(done.output, b"k\n");
        }
    }

    #[test]
    fn a_child_that_never_answers_is_killed() {
        let start = Instant::now();
        let done = run(
            &mut sh("exec sleep 60"),
            Keep::Stdout,
            1024,
            Duration::from_millis(300),
        )
        .unwrap();
        assert!(done.status.is_none());
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn what_the_child_started_is_stopped_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("grandchild.pid");
        let done = run(
            &mut sh(&format!(
                "sleep 60 > /dev/null 2>&1 & echo $! > '{}'; wait",
                pid_file.display()
            )),
            Keep::Stdout,
            1024,
            Duration::from_millis(500),
        )
        .unwrap();
        assert!(done.status.is_none());
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let alive = || std::path::Path::new(&format!("/proc/{}", pid.trim())).exists();
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // A zombie is gone from /proc once its parent (init) reaps it.
        let state =
            std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
        assert!(
            !alive() || state.contains(") Z "),
            "the grandchild {pid} still runs: {state}"
        );
    }

    #[test]
    fn a_grandchild_holding_the_pipe_does_not_hold_us() {
        let start = Instant::now();
        let done = run(
            &mut sh("echo partial; sleep 60; echo never"),
            Keep::Stdout,
            1024,
            Duration::from_millis(300),
        )
        .unwrap();
        assert!(done.status.is_none());
        assert_eq!(done.output, b"partial\n");
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}

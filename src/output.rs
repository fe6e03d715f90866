//! Owns standard output and standard error: every byte codexgen prints goes
//! through here, never through `print!`/`println!`/`eprintln!`, which panic
//! when the write fails (a full disk, `>/dev/full`). Does not decide what
//! is printed, nor colours (`anstream` strips them where they do not belong).
//! `clippy.toml` disallows those macros, std's and anstream's, everywhere.
//!
//! - A failed write to stdout is an [`OutputError`]: the command returns it,
//!   and it is rendered on stderr like any error (exit 2).
//! - A reader that goes away (`codexgen aliases | head -1`, a broken pipe)
//!   ends the printing quietly, as ripgrep does, and the command keeps its
//!   own exit status: `gen --check | head -1` still exits 1 when something
//!   is out of date, so a pipeline under `pipefail` cannot pass by accident.
//! - A failed write to stderr has nowhere to be said: it is remembered, and
//!   the run exits 2 ([`stderr_failed`]), whatever the command decided.
//!
//! A closed descriptor (`>&-`) is not a failure: the standard library
//! treats writes to it as done.

use std::fmt::Display;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// A write to standard output failed, for another reason than the reader
/// going away.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {what} to standard output: {error}")]
pub struct OutputError {
    what: &'static str,
    error: io::Error,
}

impl OutputError {
    /// A write of `what` that failed outside a [`Stdout`] (clap's help).
    pub fn new(what: &'static str, error: io::Error) -> Self {
        OutputError { what, error }
    }
}

/// Standard output, locked for one command's printing.
pub struct Stdout {
    stream: anstream::AutoStream<Box<dyn Write>>,
    /// What is printed, for the error ("the report", "the diff").
    what: &'static str,
    /// The reader went away: the rest is dropped.
    gone: bool,
}

impl Stdout {
    /// Stdout as it is (line-buffered by the standard library).
    pub fn new(what: &'static str) -> Self {
        let stdout = io::stdout();
        let choice = anstream::AutoStream::choice(&stdout);
        Stdout::over(Box::new(stdout.lock()), choice, what)
    }

    /// Stdout for text that holds no colour: passed on as it is, unfiltered.
    pub fn plain(what: &'static str) -> Self {
        let stdout = io::stdout();
        Stdout::over(
            Box::new(stdout.lock()),
            anstream::ColorChoice::AlwaysAnsi,
            what,
        )
    }

    /// Stdout behind a large buffer, for output of many lines (a diff of
    /// 10,000 files). The buffer goes under the colour filter: over it, the
    /// filter would hand the terminal each line in two writes.
    pub fn buffered(what: &'static str) -> Self {
        let stdout = io::stdout();
        let choice = anstream::AutoStream::choice(&stdout);
        let buffered = io::BufWriter::with_capacity(1 << 16, stdout.lock());
        Stdout::over(Box::new(buffered), choice, what)
    }

    fn over(raw: Box<dyn Write>, choice: anstream::ColorChoice, what: &'static str) -> Self {
        Stdout {
            stream: anstream::AutoStream::new(raw, choice),
            what,
            gone: false,
        }
    }

    /// `text` as it is.
    pub fn print(&mut self, text: &str) -> Result<(), OutputError> {
        let written = self.write_all(text.as_bytes());
        self.checked(written)
    }

    /// `text` and a newline.
    pub fn line(&mut self, text: impl Display) -> Result<(), OutputError> {
        let written = writeln!(self, "{text}");
        self.checked(written)
    }

    /// Flushes what is buffered; the end of a command's printing.
    pub fn finish(mut self) -> Result<(), OutputError> {
        let flushed = self.flush();
        self.checked(flushed)
    }

    /// The result of writes made through [`Write`] (`writeln!(out, ...)`),
    /// as this stream's error.
    pub fn checked(&self, result: io::Result<()>) -> Result<(), OutputError> {
        result.map_err(|error| OutputError {
            what: self.what,
            error,
        })
    }

    fn gone<T>(&mut self, result: io::Result<T>, done: T) -> io::Result<T> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.gone = true;
                Ok(done)
            }
            other => other,
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.gone {
            return Ok(buf.len());
        }
        let result = self.stream.write(buf);
        self.gone(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.gone {
            return Ok(());
        }
        let result = self.stream.flush();
        self.gone(result, ())
    }
}

/// Set when a write to stderr failed.
static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// `text` and a newline on stderr (a warning, a note, an error).
pub fn eprintln(text: impl Display) {
    eprint(format_args!("{text}\n"));
}

/// `text` on stderr as it is (a question waiting on the same line).
pub fn eprint(text: impl Display) {
    let mut err = anstream::stderr().lock();
    if let Err(e) = write!(err, "{text}").and_then(|()| err.flush())
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        STDERR_FAILED.store(true, Ordering::Relaxed);
    }
}

/// Whether a write to stderr failed: the run then exits 2, since what it
/// had to say (a warning, an error) was lost.
pub fn stderr_failed() -> bool {
    STDERR_FAILED.load(Ordering::Relaxed)
}

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
//!
//! Every write here also passes [`secrets::hide_concealed`]: the value of a
//! variable the catalog names (a key) never reaches a terminal or a pipe,
//! even through a printing path whose own redaction missed it. Each
//! command still redacts what it prints; this is the last net, not the rule.

use std::fmt::Display;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::secrets;

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
        // A piece of text (a whole value is written in one piece by
        // `write!`) is hidden as one; bytes that are not text pass as they are.
        if let Ok(text) = std::str::from_utf8(buf)
            && let std::borrow::Cow::Owned(hidden) = secrets::hide_concealed(text)
        {
            let result = self.stream.write_all(hidden.as_bytes());
            return self.gone(result, ()).map(|()| buf.len());
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
    let text = text.to_string();
    let text = secrets::hide_concealed(&text);
    let mut err = anstream::stderr().lock();
    if let Err(e) = err.write_all(text.as_bytes()).and_then(|()| err.flush())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A writer whose bytes the test reads afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_concealed_value_never_passes_whatever_prints_it() {
        // Given: a key's two lines concealed (what `$(pass show x)` gives).
        secrets::conceal("out-first-line-7Qw9\nout-second-line-3Zx8");
        let sink = Shared::default();
        let mut out = Stdout::over(
            Box::new(sink.clone()),
            anstream::ColorChoice::Never,
            "the test",
        );
        // Running: three ways a command prints, none redacting on its own.
        out.line("a = \"out-first-line-7Qw9\"").unwrap();
        out.print("b: out-second-line-3Zx8\n").unwrap();
        let value = "out-first-line-7Qw9";
        writeln!(out, "c {value} d").unwrap();
        out.finish().unwrap();
        // Produces: neither line of the key; the rest as it was.
        let printed = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            printed,
            "a = \"<redacted>\"\nb: <redacted>\nc <redacted> d\n"
        );
    }
}

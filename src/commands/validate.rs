//! `codexgen validate`: checks the catalog files (named with `--catalog`,
//! else found as every command finds them) for the target Codex, and renders
//! them with the built-in templates (or those of `--templates DIR`), without reading or writing any Codex
//! home: for the CI of a team's catalog repository. Owns the report of that
//! check, in text and as JSON with a stable [`Code`] per problem.
//!
//! It takes the settings' resolution itself (not only its result), because a
//! catalog that does not parse, or cannot be read, already fails there; those
//! problems belong in the report too. Exit 0 valid, 2 invalid.

use std::path::PathBuf;

use serde::Serialize;

use crate::catalog::CatalogError;
use crate::diagnostic::{Code, Exit, Problem};
use crate::error::Error;
use crate::plan;
use crate::settings::Settings;
use crate::ui::report::{Format, own_words, print_out, shown};

pub struct Options {
    pub format: Format,
    /// Templates that replace built-in ones, checked with the catalog.
    pub templates: Option<PathBuf>,
}

/// The report as `--format json` prints it.
#[derive(Debug, Serialize)]
struct Report {
    valid: bool,
    problems: Vec<JsonProblem>,
}

#[derive(Debug, Serialize)]
struct JsonProblem {
    /// The file as the user named it; `None` for a problem without a place.
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    code: &'static str,
    message: String,
    /// What the caret points at (e.g. "did you mean `base_url`?").
    label: Option<String>,
    help: Option<String>,
}

pub fn run(settings: Result<Settings, Error>, options: &Options) -> Result<Exit, Error> {
    let outcome = settings.and_then(|settings| {
        plan::prepare(&settings, options.templates.as_deref())?;
        Ok(settings)
    });
    match (options.format, outcome) {
        (Format::Text, Ok(settings)) => {
            let catalog = settings.catalog.sources();
            let names: Vec<&str> = catalog.iter().map(|s| s.name.as_str()).collect();
            print_out(
                &format!(
                    "valid: {} for Codex {} ({})\n",
                    shown(&names.join(" + ")),
                    settings.target.version,
                    own_words(&settings.target.reason)
                ),
                "the report",
            )?;
            Ok(Exit::Ok)
        }
        (Format::Text, Err(err)) => Err(err),
        (Format::Json, outcome) => {
            let problems = match &outcome {
                Ok(_) => Vec::new(),
                Err(err) => problems(err),
            };
            let report = Report {
                valid: problems.is_empty(),
                problems,
            };
            let json = serde_json::to_string_pretty(&report).expect("a report serializes");
            print_out(&format!("{json}\n"), "the report")?;
            Ok(if report.valid {
                Exit::Ok
            } else {
                Exit::Failure
            })
        }
    }
}

/// Every problem of `err`, each with its code: the catalog's own carry one;
/// the rest get theirs from the kind of error.
fn problems(err: &Error) -> Vec<JsonProblem> {
    let fallback = match err {
        Error::Catalog(CatalogError::Read(_) | CatalogError::Missing { .. }) | Error::Input(_) => {
            Code::Unreadable
        }
        Error::Render(_) => Code::Render,
        // In a validate run, the only other errors are about the target
        // Codex (its version, the catalog's range, asking `codex --version`).
        _ => Code::Target,
    };
    err.problems()
        .into_iter()
        .map(|p| json(&p, fallback))
        .collect()
}

fn json(p: &Problem, fallback: Code) -> JsonProblem {
    let mut message = shown(&p.message);
    for cause in &p.causes {
        message.push_str(": ");
        message.push_str(&shown(cause));
    }
    let snippet = p.snippet.as_deref();
    JsonProblem {
        file: snippet.map(|s| own_words(&s.file)),
        line: snippet.map(|s| s.line),
        column: snippet.map(|s| s.column),
        code: p.code.unwrap_or(fallback).as_str(),
        message,
        label: p.label.as_deref().map(shown),
        help: p.help.as_deref().map(own_words),
    }
}

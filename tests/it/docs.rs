//! Every command the README and the docs show is run by a test (issue 24,
//! point 1).
//!
//! **What counts as a command shown.** In `README.md`, `ARCHITECTURE.md` and
//! every `docs/**/*.md`, each fenced code block whose info string is `sh`,
//! `bash`, `shell` or `zsh`, or is empty and whose first line looks like
//! shell (a `$ ` prompt or a tool below), is cut into command lines: a line
//! ending in `\` is joined with the next, the text of a here-document is
//! skipped, a comment (`#` at the start or after a blank, outside quotes) and
//! a `$ ` prompt are dropped, blank lines too. In any other block (`console`,
//! `text`, ...), and in a shell block that has `$ ` prompts, only the `$ `
//! lines are commands: the rest is output. A command line is **shown**
//! when one of its commands (the first word of the line, or the first word after
//! `;`, `&&`, `||`, `|`, `&`, `(`, `$(`, `{`, past `VAR=value` words and the
//! wrappers `env`, `sudo`, `time`, `exec`, `timeout N`) is a tool
//! a reader is told to run: `codexgen` (or a path ending in `/codexgen`),
//! `cargo`, `codex`, `cx` (the docs' own function that runs `codex` in a
//! scratch home), `git`, `npm`, `npx`, `hyperfine`, `pre-commit`, `curl`,
//! `wget`, `brew`, `man`, or a script of the repository (`./…`, `tools/…`,
//! `benches/…`, `.ci/…`, `target/…`). Set-up lines around them (`mkdir`,
//! `export`, `printf > file`, `cat`, `set -eu`, loops) are not counted: a
//! scenario runs them where the commands need them.
//!
//! **How each is covered.** [`registry`] matches every command shown, by its
//! text with whitespace collapsed, to one of:
//! - a step of a scenario in this file ([`SCENARIOS`]): the scenarios run the
//!   commands for real, grouped as a user does them, through `bash` with the
//!   test-built `codexgen` first on `PATH` (`cargo run -- X` runs it with `X`;
//!   `./target/release/codexgen` is a link to it), in a scratch `HOME`
//!   (`~/.codex` is a temp folder; `CODEX_HOME` unset as on a user's machine,
//!   XDG folders inside it, Codex's system folder a scratch one), each exit
//!   status asserted (0 unless the step says otherwise). A placeholder the
//!   docs use (a profile name, a count, `...`) is given a real value in the
//!   step's `run` text; a command that asks `[y/N]` runs on a terminal
//!   (`script`) and is answered `y`. A command needing the real Codex runs the
//!   `CODEX_BIN` one and is skipped (said on stderr) without it, failed
//!   under `CI=true`, as in `e2e`; one needing a program .ci/run does not
//!   install (`hyperfine`, `man`) is skipped, and said, where it is missing;
//! - a README recipe that another test runs as written, block and all
//!   ([`RECIPES`], by its `<!-- recipe:NAME -->` marker);
//! - a document whose blocks a test runs whole, one after the other in one
//!   shell, as a maintainer pastes them ([`FILES_RUN`]: docs/codex-versions.md,
//!   its recipes against the `CODEX_BIN` Codex, each block's output held to
//!   what the page says for that release in [`LAB_SAYS`]);
//! - a few commands whose run belongs elsewhere ([`ELSEWHERE`]), each with
//!   the reason and the place it runs.
//!
//! `every_command_in_the_docs_is_run_by_a_test` fails listing, for each
//! command shown and not covered, the file and line, and the line to add;
//! and each entry that no doc shows any more, so the registry cannot rot.
//! A command moved to another file, or reworded in whitespace only, needs
//! nothing. **To cover a new one**, paste the `step(...)` line the failure
//! prints into the scenario where a user would run it (or a new scenario:
//! a `const` of steps, its entry in [`SCENARIOS`] and a `#[test]` that
//! prepares a [`Machine`] and calls `run`); `.runs(...)` gives placeholders
//! values, `.answers("y\n")` answers a question, `.exits(N)` is a failure
//! the docs show, `.with_codex()` needs the real Codex.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::e2e::codex_bin_from;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

// ---------------------------------------------------------------------------
// The extractor
// ---------------------------------------------------------------------------

/// One command line a document shows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shown {
    /// The file, relative to the repository (`docs/x.md`).
    pub(crate) file: String,
    /// The line of the block where the command starts (1-based).
    pub(crate) line: usize,
    /// The command, whitespace collapsed, comment and prompt dropped.
    pub(crate) text: String,
    /// The `<!-- recipe:NAME -->` marker the block sits in, if any.
    pub(crate) recipe: Option<String>,
}

/// README.md, ARCHITECTURE.md (when there is one) and every docs/**/*.md.
fn doc_files() -> Vec<String> {
    let mut files = vec!["README.md".to_owned()];
    if Path::new(ROOT).join("ARCHITECTURE.md").is_file() {
        files.push("ARCHITECTURE.md".to_owned());
    }
    let mut stack = vec![PathBuf::from("docs")];
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(Path::new(ROOT).join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let rel = dir.join(entry.file_name());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(rel);
            } else if rel.extension().is_some_and(|e| e == "md") {
                found.push(rel.display().to_string());
            }
        }
    }
    found.sort();
    files.extend(found);
    files
}

/// Every command shown in every document.
pub(crate) fn shown_in_the_docs() -> Vec<Shown> {
    doc_files()
        .iter()
        .flat_map(|file| {
            let text = std::fs::read_to_string(Path::new(ROOT).join(file))
                .unwrap_or_else(|e| panic!("read {file}: {e}"));
            shown_in(file, &text)
        })
        .collect()
}

/// One fenced code block of a Markdown file.
pub(crate) struct Block<'a> {
    /// Its info string's first word (`sh`, `bash`; empty for none).
    pub(crate) info: String,
    /// Its lines, each with its line number (1-based).
    pub(crate) body: Vec<(usize, &'a str)>,
    /// The `<!-- recipe:NAME -->` marker it sits in, if any.
    pub(crate) recipe: Option<String>,
}

/// The fenced code blocks of the Markdown text `text`.
pub(crate) fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    let mut recipe: Option<String> = None;
    let mut open: Option<(String, Block<'_>)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some((fence, block)) = &mut open {
            if trimmed.starts_with(fence.as_str()) && trimmed[fence.len()..].trim().is_empty() {
                if let Some((_, block)) = open.take() {
                    out.push(block);
                }
            } else {
                block.body.push((i + 1, line));
            }
            continue;
        }
        if let Some(name) = trimmed
            .strip_prefix("<!-- recipe:")
            .and_then(|r| r.strip_suffix("-->"))
        {
            recipe = Some(name.trim().to_owned());
        } else if trimmed.starts_with("<!-- /recipe:") {
            recipe = None;
        }
        for mark in ['`', '~'] {
            let run = trimmed.len() - trimmed.trim_start_matches(mark).len();
            if run >= 3 {
                let info = trimmed[run..].trim();
                let info = info.split([' ', ',', '{']).next().unwrap_or("").to_owned();
                let block = Block {
                    info,
                    body: Vec::new(),
                    recipe: recipe.clone(),
                };
                open = Some((trimmed[..run].to_owned(), block));
                break;
            }
        }
    }
    out
}

/// The commands `text` (the Markdown file `file`) shows.
pub(crate) fn shown_in(file: &str, text: &str) -> Vec<Shown> {
    blocks(text)
        .iter()
        .flat_map(|block| {
            commands_of_block(&block.info, &block.body)
                .into_iter()
                .map(|(line, text)| Shown {
                    file: file.to_owned(),
                    line,
                    text,
                    recipe: block.recipe.clone(),
                })
        })
        .collect()
}

/// The command lines of one fenced block with info string `info`: `(line,
/// text)`, each kept only when it runs a tool (see the module doc).
fn commands_of_block(info: &str, body: &[(usize, &str)]) -> Vec<(usize, String)> {
    let prompted = match info {
        "sh" | "bash" | "shell" | "zsh" => {
            body.iter().any(|(_, l)| l.trim_start().starts_with("$ "))
        }
        "" => {
            let first = body.iter().map(|(_, l)| l.trim()).find(|l| !l.is_empty());
            if !first.is_some_and(|l| l.starts_with("$ ") || runs_a_tool(l)) {
                return Vec::new();
            }
            first.is_some_and(|l| l.starts_with("$ "))
        }
        // `console`, `text` and the rest: a transcript, whose `$ ` lines are
        // the commands.
        _ => true,
    };
    let mut out = Vec::new();
    let mut heredoc: Option<String> = None;
    let mut pending: Option<(usize, String)> = None;
    for &(n, raw) in body {
        if let Some(end) = &heredoc {
            if raw.trim() == end {
                heredoc = None;
            }
            continue;
        }
        let mut line = raw.trim();
        if pending.is_none() && prompted {
            // In a prompted block, a line without `$ ` is output.
            match line.strip_prefix("$ ") {
                Some(rest) => line = rest,
                None => continue,
            }
        }
        let line = strip_comment(line).trim_end();
        let (start, mut text) = pending.take().unwrap_or((n, String::new()));
        if let Some(cont) = line.strip_suffix('\\') {
            text.push_str(cont);
            text.push(' ');
            pending = Some((start, text));
            continue;
        }
        text.push_str(line);
        let text = normalize(&text);
        if let Some(end) = heredoc_end(&text) {
            heredoc = Some(end);
        }
        if !text.is_empty() && runs_a_tool(&text) {
            out.push((start, text));
        }
    }
    if let Some((start, text)) = pending {
        let text = normalize(&text);
        if runs_a_tool(&text) {
            out.push((start, text));
        }
    }
    out
}

/// The word ending the here-document a line opens (`<<'EOF'`, `<<EOF`,
/// `<<-"X"`), if it opens one.
fn heredoc_end(line: &str) -> Option<String> {
    let at = line.find("<<")?;
    let rest = line[at + 2..].trim_start_matches('-').trim_start();
    if rest.starts_with('<') {
        return None; // a here-string
    }
    let word: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ';' && *c != ')')
        .filter(|c| *c != '\'' && *c != '"')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// `line` without its comment: from a `#` at the start or after a blank,
/// outside quotes.
fn strip_comment(line: &str) -> &str {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single && prev != '\\' => double = !double,
            '#' if !single && !double && prev.is_whitespace() => return &line[..i],
            _ => {}
        }
        prev = c;
    }
    line
}

/// Whitespace collapsed to one blank, ends trimmed.
pub(crate) fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The tools a reader is told to run (see the module doc).
const TOOLS: &[&str] = &[
    "codexgen",
    "cargo",
    "codex",
    "cx",
    "git",
    "npm",
    "npx",
    "hyperfine",
    "pre-commit",
    "curl",
    "wget",
    "brew",
    "man",
];

/// The program a simple command runs: its first word past `VAR=value`
/// words and the wrappers `env` (and its `-u NAME`), `sudo`, `time`,
/// `exec`, `command`, `nohup`, `timeout N`.
fn command_word(segment: &str) -> Option<&str> {
    let mut words = segment.split_whitespace();
    while let Some(word) = words.next() {
        match word {
            "env" | "sudo" | "time" | "exec" | "command" | "nohup" => {}
            "-u" | "timeout" => {
                words.next();
            }
            w if w.starts_with('-') || (w.contains('=') && !w.starts_with('=')) => {}
            w => return Some(w),
        }
    }
    None
}

/// Whether a command of `line` is one of [`TOOLS`] or a script of the
/// repository.
fn runs_a_tool(line: &str) -> bool {
    let mut spaced = line.to_owned();
    for sep in ["$(", "&&", "||", ";", "|", "&", "(", "{", "`"] {
        spaced = spaced.replace(sep, "\n");
    }
    spaced.lines().any(|segment| {
        command_word(segment).is_some_and(|w| {
            TOOLS.contains(&w)
                || w.ends_with("/codexgen")
                || ["./", "tools/", "benches/", ".ci/", "target/"]
                    .iter()
                    .any(|p| w.starts_with(p))
        })
    })
}

// ---------------------------------------------------------------------------
// The registry
// ---------------------------------------------------------------------------

/// One command of a scenario: the text the docs show, the text run when it
/// differs (a placeholder given a value), the exit status it must end with,
/// and the answer typed at its `[y/N]` on a terminal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step {
    shown: &'static str,
    run: Option<&'static str>,
    code: i32,
    answer: Option<&'static str>,
    needs_codex: bool,
    needs: Option<&'static str>,
}

/// A step that runs `shown` as written and must exit 0.
const fn step(shown: &'static str) -> Step {
    Step {
        shown,
        run: None,
        code: 0,
        answer: None,
        needs_codex: false,
        needs: None,
    }
}

impl Step {
    /// Runs `run` in place of `shown` (a placeholder given a value).
    const fn runs(self, run: &'static str) -> Step {
        Step {
            run: Some(run),
            ..self
        }
    }

    /// On a terminal, answering `answer` at the question.
    const fn answers(self, answer: &'static str) -> Step {
        Step {
            answer: Some(answer),
            ..self
        }
    }

    /// Needs the real Codex (`CODEX_BIN`).
    const fn with_codex(self) -> Step {
        Step {
            needs_codex: true,
            ..self
        }
    }

    /// Needs the program `tool` (not installed by .ci/run): skipped, and
    /// said, where it is missing.
    const fn with_tool(self, tool: &'static str) -> Step {
        Step {
            needs: Some(tool),
            ..self
        }
    }

    /// Must exit `code` (a failure the docs show).
    const fn exits(self, code: i32) -> Step {
        Step { code, ..self }
    }
}

/// The scenarios of this file: name (the test that runs it) and steps.
pub(crate) const SCENARIOS: &[(&str, &[Step])] = &[
    ("docs::from_a_clone", FROM_A_CLONE),
    ("docs::quick_start_on_an_empty_home", QUICK_START),
    ("docs::completions_and_the_manual_page", COMPLETIONS),
    ("docs::an_existing_home_imported_first", IMPORT_FIRST),
    ("docs::adding_shipped_providers", ADD),
    ("docs::starting_a_catalog_of_your_own", OWN_CATALOG),
    ("docs::seeing_the_catalog", SEEING),
    ("docs::troubleshooting_with_doctor", DOCTOR),
    ("docs::switching_the_default_profile", SWITCH),
    ("docs::keeping_a_value_codex_changed", ADOPT),
    ("docs::undo_with_restore", RESTORE),
    ("docs::measuring_speed", SPEED),
];

/// README recipes that another test runs as written: the marker, the test.
pub(crate) const RECIPES: &[(&str, &str)] = &[
    (
        "two-machines",
        "travel::the_readme_two_machine_recipe_converges (and travel::the_readme_recipe_*)",
    ),
    (
        "ci",
        "ci_recipe::the_readme_ci_recipe_* (real Codex 0.169.0 and 0.171.0, npm stood in)",
    ),
];

/// Commands run elsewhere than in a test of this binary: the command, why,
/// and where it runs.
pub(crate) const ELSEWHERE: &[(&str, &str)] = &[
    (
        "cargo test",
        ".ci/run runs `cargo test` (a test cannot run the suite it is part of)",
    ),
    (
        "cargo install --locked --path .",
        "a release build of this crate (minutes here); .ci/run's `cargo test` builds the same \
         crate from the same Cargo.lock, and interface::readme_install_lines_are_locked_* holds \
         `--locked`; the installed binary is what every scenario here runs",
    ),
    (
        "cargo build --release",
        "a release build (minutes here); .ci/run builds the crate (`cargo test`, `cargo bench \
         --no-run`); docs::measuring_speed runs the commands that follow it",
    ),
    (
        "cargo build --release --example scale_inputs",
        "a release build; `cargo test` in .ci/run builds the example, and \
         docs::measuring_speed runs it (target/debug/examples/scale_inputs)",
    ),
    (
        "tools/codex-facts *",
        "a maintainer's measurement: installs each Codex release it names from npm (about \
         400 MB each) and runs it once per key (minutes); what it measured, \
         data/codex-keys.json, is held against the key tables by catalog::codex_facts in \
         `cargo test` (.ci/run)",
    ),
    (
        "git diff data/codex-keys.json",
        "the look at what `tools/codex-facts` (above) changed in the repository's own file",
    ),
    (
        "cargo test --lib codex_facts -- --nocapture",
        ".ci/run's `cargo test` runs catalog::codex_facts",
    ),
    (
        "benches/scale.sh *",
        "the benchmark itself: it builds the release binary and times 12 cases of 11 runs \
         per N (30 s at N = 10 with a debug build here); .ci/run leaves the benchmarks out \
         (`cargo bench --no-run` compiles them); the commands it times (scale_inputs, gen \
         --yes/--diff/--check) are run by docs::measuring_speed",
    ),
    (
        "curl -fsSL https://github.com/codexgen/codexgen/releases/latest/download/install.sh | sh*",
        "needs a published release (network); dist::the_install_script_installs_the_archive_from_\
         the_local_file_as_the_docs_show runs the same install.sh on an archive the release \
         script builds, and dist::the_install_script_refuses_* its refusals",
    ),
    (
        "~/.local/bin/codexgen --version",
        "docs/install.md's install-local block, run as written by \
         dist::the_install_script_installs_the_archive_from_the_local_file_as_the_docs_show",
    ),
    (
        "~/bin/codexgen --version",
        "docs/install.md's install-local block, run as written by \
         dist::the_install_script_installs_the_archive_from_the_local_file_as_the_docs_show",
    ),
    (
        "npm install -g codexgen",
        "needs the package published (network); dist::the_npm_package_installs_from_packed_\
         files_and_runs_the_binary installs the same packages from `npm pack` files",
    ),
    (
        "npm install --offline codexgen-0.1.0.tgz codexgen-linux-x64-0.1.0.tgz",
        "docs/install.md's npm-local block, run as written by \
         dist::the_npm_package_installs_from_packed_files_and_runs_the_binary",
    ),
    (
        "node_modules/.bin/codexgen --version",
        "docs/install.md's npm-local block, run as written by \
         dist::the_npm_package_installs_from_packed_files_and_runs_the_binary",
    ),
    (
        "cargo install --locked codexgen",
        "needs a release on crates.io (network); `cargo install --locked --path .` builds the \
         same code (see above)",
    ),
    (
        "cargo build --release --locked --target x86_64-unknown-linux-musl",
        "a release build for a target this machine has not installed (minutes); \
         dist::the_docs_build_lines_make_the_archive_and_npm_packages runs the block's other \
         two lines with a binary already built",
    ),
    (
        "codexgen --no-local --codex-home codex gen --yes -q",
        "docs/teams.md's line that writes the home a team commits, run as written by \
         hooks::* (the real pre-commit)",
    ),
    (
        "codexgen probe",
        "docs/building.md's transcript of a build without the `network` feature: \
         troubleshoot::probe_without_network_says_how_to_get_it, in the \
         `--no-default-features` build .ci/run tests",
    ),
    (
        "cargo bench --bench stages",
        ".ci/run compiles it (`cargo bench --no-run`); running it takes minutes, as the \
         benchmarks are left out of CI",
    ),
];

/// Documents whose blocks a test runs whole, in one shell, as a maintainer
/// pastes them (each block after the one before, placeholders given
/// values): the file, the test. An ELSEWHERE command in them is left out.
pub(crate) const FILES_RUN: &[(&str, &str)] = &[(
    "docs/codex-versions.md",
    "docs::the_codex_versions_recipes_run_on_the_ci_codex",
)];

/// How a command shown is covered, for the report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cover {
    Scenario(&'static str),
    Elsewhere(&'static str),
}

/// Every command text the scenarios and [`ELSEWHERE`] cover.
pub(crate) fn registry() -> BTreeMap<String, Cover> {
    let mut map = BTreeMap::new();
    for (name, steps) in SCENARIOS {
        for step in *steps {
            map.insert(normalize(step.shown), Cover::Scenario(name));
        }
    }
    for (text, reason) in ELSEWHERE {
        map.insert((*text).to_owned(), Cover::Elsewhere(reason));
    }
    map
}

/// Whether `text` is an ELSEWHERE entry, `*` at its end standing for any
/// arguments.
fn elsewhere(entry: &str, text: &str) -> bool {
    match entry.strip_suffix('*') {
        Some(prefix) => text.starts_with(prefix),
        None => normalize(entry) == text,
    }
}

/// Whether the command `s` is covered, and how.
fn covered(s: &Shown, registry: &BTreeMap<String, Cover>) -> bool {
    registry.contains_key(&s.text)
        || ELSEWHERE.iter().any(|(entry, _)| elsewhere(entry, &s.text))
        || s.recipe
            .as_deref()
            .is_some_and(|r| RECIPES.iter().any(|(m, _)| *m == r))
        || FILES_RUN.iter().any(|(file, _)| *file == s.file)
}

/// What the registry lacks and what it holds that no doc shows, as the
/// failure message; empty when the two agree.
pub(crate) fn disagreements(shown: &[Shown]) -> String {
    let registry = registry();
    let mut message = String::new();
    let mut uncovered = Vec::new();
    for s in shown {
        if !covered(s, &registry) {
            uncovered.push(s);
        }
    }
    if !uncovered.is_empty() {
        let _ = writeln!(
            message,
            "{} command(s) shown in the docs are run by no test. For each, add a step to the \
             scenario in tests/it/docs.rs where a user would run it (`step(\"TEXT\")`, with \
             `.runs(\"...\")` for a placeholder, `.answers(\"y\\n\")` for a question, \
             `.exits(N)` for a failure the docs show), or, only if it cannot run in a test, \
             an ELSEWHERE entry naming where it runs:",
            uncovered.len()
        );
        for s in &uncovered {
            let _ = writeln!(message, "  {}:{}: step({:?}),", s.file, s.line, s.text);
        }
    }
    let texts: std::collections::BTreeSet<&str> = shown.iter().map(|s| s.text.as_str()).collect();
    let stale: Vec<(&String, &Cover)> = registry
        .iter()
        .filter(|(text, cover)| match cover {
            Cover::Scenario(_) => !texts.contains(text.as_str()),
            Cover::Elsewhere(_) => !texts.iter().any(|t| elsewhere(text, t)),
        })
        .collect();
    if !stale.is_empty() {
        let _ = writeln!(
            message,
            "{} registry entr(ies) in tests/it/docs.rs cover a command no doc shows any more: \
             change the step to the docs' new text, or remove it:",
            stale.len()
        );
        for (text, cover) in stale {
            let place = match cover {
                Cover::Scenario(name) => format!("a step of {name}"),
                Cover::Elsewhere(_) => "ELSEWHERE".to_owned(),
            };
            let _ = writeln!(message, "  {place}: {text:?}");
        }
    }
    let recipes: std::collections::BTreeSet<&str> =
        shown.iter().filter_map(|s| s.recipe.as_deref()).collect();
    for (file, test) in FILES_RUN {
        if !shown.iter().any(|s| s.file == *file) {
            let _ = writeln!(
                message,
                "FILES_RUN names {file} ({test}), which shows no command any more: remove the entry"
            );
        }
    }
    for (marker, test) in RECIPES {
        if !recipes.contains(marker) {
            let _ = writeln!(
                message,
                "RECIPES names `<!-- recipe:{marker} -->` ({test}), which no doc holds any more \
                 (or it holds no command): move the marker with its block, or remove the entry"
            );
        }
    }
    message
}

#[test]
fn every_command_in_the_docs_is_run_by_a_test() {
    let shown = shown_in_the_docs();
    assert!(
        shown.len() > 20,
        "the extractor found only {} commands",
        shown.len()
    );
    let message = disagreements(&shown);
    assert!(message.is_empty(), "\n{message}");
    eprintln!("{}", tally(&shown));
}

/// Each test the registry names exists, so that a renamed test cannot leave
/// commands covered by nothing.
#[test]
fn the_tests_the_registry_names_exist() {
    let mut sources = String::new();
    for entry in std::fs::read_dir(Path::new(ROOT).join("tests/it")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let module = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                if let Some(rest) = line.trim_start().strip_prefix("fn ") {
                    let name = rest.split(['(', '<']).next().unwrap_or("");
                    let _ = writeln!(sources, "{module}::{name}");
                }
            }
        }
    }
    let names = SCENARIOS
        .iter()
        .map(|(name, _)| *name)
        .chain(RECIPES.iter().chain(FILES_RUN).map(|(_, test)| *test));
    for named in names {
        // `module::name` or `module::prefix_*`, before any remark.
        let test = named.split_whitespace().next().unwrap_or("");
        let found = match test.strip_suffix('*') {
            Some(prefix) => sources.lines().any(|l| l.starts_with(prefix)),
            None => sources.lines().any(|l| l == test),
        };
        assert!(
            found,
            "the registry names `{test}`, which is no test in tests/it"
        );
    }
}

/// How the commands shown are covered, in one line (printed by the check).
fn tally(shown: &[Shown]) -> String {
    let registry = registry();
    let (mut scenario, mut recipe, mut file, mut other) = (0, 0, 0, 0);
    for s in shown {
        if ELSEWHERE.iter().any(|(entry, _)| elsewhere(entry, &s.text)) {
            other += 1;
        } else if matches!(registry.get(&s.text), Some(Cover::Scenario(_))) {
            scenario += 1;
        } else if s.recipe.is_some() {
            recipe += 1;
        } else {
            file += 1;
        }
    }
    let steps: usize = SCENARIOS.iter().map(|(_, steps)| steps.len()).sum();
    format!(
        "{} command lines shown: {scenario} run by {} scenarios here ({steps} steps), {recipe} \
         by README recipes run verbatim, {file} by whole documents run, {other} elsewhere \
         ({} entries)",
        shown.len(),
        SCENARIOS.len(),
        ELSEWHERE.len()
    )
}

// ---------------------------------------------------------------------------
// The scenarios
// ---------------------------------------------------------------------------

/// A scratch machine: `HOME` (so `~/.codex` is the Codex home, `CODEX_HOME`
/// unset), XDG folders in it, a `bin/` with `codexgen` (the test binary)
/// first on `PATH`, and a working folder.
struct Machine {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    work: PathBuf,
    codex: Option<PathBuf>,
}

impl Machine {
    fn new() -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let home = root.join("user");
        let work = root.join("work");
        for d in [
            &home,
            &work,
            &root.join("bin"),
            &root.join("etc-codex"),
            &root.join("tmp"),
        ] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::os::unix::fs::symlink(
            assert_cmd::cargo::cargo_bin("codexgen"),
            root.join("bin/codexgen"),
        )
        .unwrap();
        Machine {
            _dir: dir,
            root,
            home,
            work,
            codex: None,
        }
    }

    /// Puts the real Codex (`CODEX_BIN`) on `PATH`, if there is one.
    fn with_codex(mut self) -> Machine {
        if let Some(bin) = codex_bin_from("CODEX_BIN", "0.169.0") {
            std::os::unix::fs::symlink(&bin, self.root.join("bin/codex")).unwrap();
            self.codex = Some(bin);
        }
        self
    }

    /// Writes `text` at `rel` under `HOME`.
    fn home_file(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.home.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        let home = self.home.display().to_string();
        vec![
            (
                "PATH",
                format!(
                    "{}:/usr/local/bin:/usr/bin:/bin",
                    self.root.join("bin").display()
                ),
            ),
            ("HOME", home.clone()),
            ("XDG_CONFIG_HOME", format!("{home}/.config")),
            ("XDG_CACHE_HOME", format!("{home}/.cache")),
            ("XDG_DATA_HOME", format!("{home}/.local/share")),
            (
                "CODEXGEN_SYSTEM_CODEX_DIR",
                self.root.join("etc-codex").display().to_string(),
            ),
            ("NO_COLOR", "1".to_owned()),
            ("TERM", "dumb".to_owned()),
            // `mktemp -d` in a recipe: inside the scratch folder, removed with it.
            ("TMPDIR", self.root.join("tmp").display().to_string()),
            ("LANG", "C.UTF-8".to_owned()),
        ]
    }

    /// `bash -c script` in the working folder, with this machine's
    /// environment only: its output and exit status.
    fn bash(&self, script: &str) -> (String, Option<i32>) {
        let out = std::process::Command::new("bash")
            .args(["-c", script])
            .current_dir(&self.work)
            .env_clear()
            .envs(self.env())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            out.status.code(),
        )
    }

    /// Set-up a scenario needs that the docs do not show (it must succeed).
    fn setup(&self, script: &str) {
        let (said, code) = self.bash(script);
        assert_eq!(code, Some(0), "set-up failed: {script}\n{said}");
    }

    /// Runs each step as a user pastes it, one `bash` each, and asserts its
    /// exit status.
    fn run(&self, steps: &[Step]) {
        for step in steps {
            if step.needs_codex && self.codex.is_none() {
                eprintln!("skipped (no CODEX_BIN): {}", step.shown);
                continue;
            }
            if let Some(tool) = step.needs.filter(|t| which(t).is_none()) {
                eprintln!("skipped (no {tool} on PATH): {}", step.shown);
                continue;
            }
            let command = step.run.unwrap_or(step.shown);
            let script = match step.answer {
                // `script` gives the command a terminal; its stdin is the answer.
                Some(answer) => format!(
                    "printf '%s' {} | script -qec {} /dev/null",
                    shell_quote(answer),
                    shell_quote(command)
                ),
                None => command.to_owned(),
            };
            let (said, code) = self.bash(&script);
            assert_eq!(
                code,
                Some(step.code),
                "the docs' `{}` (run as `{command}`) exited {code:?}, not {}:\n{said}",
                step.shown,
                step.code
            );
        }
    }
}

/// `text` in single quotes for a shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// README, top: a look from a clone.
const FROM_A_CLONE: &[Step] = &[step("cargo run -- gen --diff").runs("codexgen gen --diff")];

#[test]
fn from_a_clone() {
    let m = Machine::new();
    m.run(FROM_A_CLONE);
    assert!(!m.home.join(".codex/config.toml").exists(), "--diff wrote");
}

/// README, "Using it": an empty home, the shipped catalog.
const QUICK_START: &[Step] = &[
    step("codexgen gen --diff"),
    step("codexgen gen").answers("y\n"),
    // Plain `codex -p groq` opens Codex's terminal UI; `mcp list` loads the
    // same files with the profile and exits.
    step("codex -p groq")
        .runs("GROQ_API_KEY=gsk-not-a-key codex -p groq mcp list")
        .with_codex(),
];

#[test]
fn quick_start_on_an_empty_home() {
    let m = Machine::new().with_codex();
    m.run(QUICK_START);
    assert!(m.home.join(".codex/groq.config.toml").is_file());
}

/// README, "Installing": completions and the manual page.
const COMPLETIONS: &[Step] = &[
    step("codexgen completions bash > ~/.local/share/bash-completion/completions/codexgen"),
    step("mkdir -p ~/.zfunc && codexgen completions zsh > ~/.zfunc/_codexgen"),
    step(
        "mkdir -p ~/.config/fish/completions && codexgen completions fish > \
         ~/.config/fish/completions/codexgen.fish",
    ),
    step("codexgen man gen > codexgen-gen.1 && man -l codexgen-gen.1").with_tool("man"),
    step("codexgen man --dir ~/.local/share/man/man1"),
];

#[test]
fn completions_and_the_manual_page() {
    let m = Machine::new();
    // The line before the bash one in the block.
    m.setup("mkdir -p ~/.local/share/bash-completion/completions");
    m.run(COMPLETIONS);
    for (file, holds) in [
        (
            ".local/share/bash-completion/completions/codexgen",
            "codexgen",
        ),
        (".zfunc/_codexgen", "#compdef codexgen"),
        (
            ".config/fish/completions/codexgen.fish",
            "complete -c codexgen",
        ),
        (".local/share/man/man1/codexgen.1", ".TH"),
        (".local/share/man/man1/codexgen-gen.1", ".TH"),
    ] {
        let text = std::fs::read_to_string(m.home.join(file)).unwrap();
        assert!(text.contains(holds), "{file}: {holds}");
    }
}

/// README, "Start from your existing config".
const IMPORT_FIRST: &[Step] = &[
    step("codexgen import --output ~/.config/codexgen/providers.yaml"),
    step("codexgen gen --check"),
    step("codexgen gen --diff"),
    // The transcript under it: the catalog into the current folder.
    step("codexgen import -o providers.yaml"),
];

#[test]
fn an_existing_home_imported_first() {
    let m = Machine::new();
    m.home_file(
        ".codex/config.toml",
        "# mine\nmodel = \"llama-3.3-70b-versatile\"\nmodel_provider = \"groq\"\napproval_policy = \"on-request\"\n\n[model_providers.groq]\nname = \"Groq\"\nbase_url = \"https://api.groq.com/openai/v1\"\nenv_key = \"GROQ_API_KEY\"\nwire_api = \"responses\"\n\n[projects.\"/home/me/src/app\"]\ntrust_level = \"trusted\"\n",
    );
    // Codex 0.134+ reads a profile from its own file.
    m.home_file(
        ".codex/groq.config.toml",
        "model = \"llama-3.3-70b-versatile\"\nmodel_provider = \"groq\"\n",
    );
    let before = std::fs::read_to_string(m.home.join(".codex/config.toml")).unwrap();
    m.run(IMPORT_FIRST);
    assert!(m.home.join(".config/codexgen/providers.yaml").is_file());
    assert!(m.work.join("providers.yaml").is_file());
    assert_eq!(
        std::fs::read_to_string(m.home.join(".codex/config.toml")).unwrap(),
        before,
        "import, --check and --diff write nothing into the home"
    );
}

/// README, "Quick start: an empty Codex home": a catalog of your own from
/// the shipped one, then the presets.
const OWN_CATALOG: &[Step] = &[
    step("codexgen init --user"),
    step("codexgen add --list"),
    step("codexgen add groq deepseek --diff"),
];

#[test]
fn starting_a_catalog_of_your_own() {
    let m = Machine::new();
    m.run(OWN_CATALOG);
    let catalog = std::fs::read_to_string(m.home.join(".config/codexgen/providers.yaml")).unwrap();
    assert!(catalog.contains("groq"), "{catalog}");
}

/// README, "Adding a shipped provider".
const ADD: &[Step] = &[
    step("codexgen add --list"),
    step("codexgen add groq deepseek --diff"),
    step("codexgen add groq deepseek").answers("y\n"),
    step("codexgen gen --diff"),
];

#[test]
fn adding_shipped_providers() {
    let m = Machine::new();
    std::fs::write(
        m.work.join("providers.yaml"),
        "schema: 1\nversion: \"mine\"\ndefault: local\nproviders:\n  ollama-local:\n    name: Ollama\n    base_url: http://localhost:11434/v1\nprofiles:\n  local:\n    provider: ollama-local\n    model: qwen3\n",
    )
    .unwrap();
    m.run(ADD);
    let catalog = std::fs::read_to_string(m.work.join("providers.yaml")).unwrap();
    assert!(
        catalog.contains("groq") && catalog.contains("deepseek"),
        "{catalog}"
    );
}

/// README, "Seeing and checking the catalog": a catalog in the current
/// folder.
const SEEING: &[Step] = &[step("codexgen list"), step("codexgen show --origin")];

#[test]
fn seeing_the_catalog() {
    let m = Machine::new();
    std::fs::write(m.work.join("providers.yaml"), crate::support::CATALOG).unwrap();
    m.run(SEEING);
}

/// README, "Troubleshooting": doctor on a home `gen` wrote, with the real
/// Codex, one key set (the docs' `export GROQ_API_KEY=gsk_...` line); a
/// profile whose key is unset is an error, exit 1.
const DOCTOR: &[Step] = &[
    step("codexgen doctor")
        .runs("GROQ_API_KEY=gsk_not_a_key codexgen doctor")
        .with_codex(),
    step("codexgen doctor openrouter")
        .runs("GROQ_API_KEY=gsk_not_a_key codexgen doctor openrouter")
        .with_codex()
        .exits(1),
];

#[test]
fn troubleshooting_with_doctor() {
    let m = Machine::new().with_codex();
    m.setup("codexgen -q gen --yes");
    m.run(DOCTOR);
}

/// README, "Switching the default profile" (`fast` is a profile of the
/// user's catalog: the shipped one has `groq`).
const SWITCH: &[Step] = &[
    step("codexgen use"),
    step("codexgen use --diff fast").runs("codexgen use --diff groq"),
    step("codexgen use fast").runs("codexgen use groq"),
    step("codexgen use -"),
    step("codexgen use --diff PROFILE").runs("codexgen use --diff groq"),
    step("codexgen use PROFILE").runs("codexgen use groq"),
    step("codexgen use -"),
];

#[test]
fn switching_the_default_profile() {
    let m = Machine::new();
    m.setup("codexgen -q gen --yes");
    m.run(SWITCH);
    let (said, code) = m.bash("codexgen use");
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("openai"),
        "back to the shipped default: {said}"
    );
}

/// README, "When Codex changes the model": adopt.
const ADOPT: &[Step] = &[
    step("codexgen adopt --diff"),
    step("codexgen adopt").answers("y\n"),
];

#[test]
fn keeping_a_value_codex_changed() {
    let m = Machine::new();
    m.setup("codexgen -q gen --yes");
    // Codex's `/model` rewrites the default profile's model in config.toml.
    m.setup(
        "f=~/.codex/config.toml; sed 's/^model = .*/model = \"gpt-5-mini\"/' \"$f\" > \"$f.new\" && mv \"$f.new\" \"$f\"",
    );
    m.run(ADOPT);
    // "then `codexgen gen` keeps the value".
    m.setup("codexgen -q gen --yes && codexgen gen --check && grep -q 'gpt-5-mini' ~/.codex/config.toml");
}

/// README, "Undo: restore".
const RESTORE: &[Step] = &[
    step("codexgen restore --list"),
    step("codexgen restore --diff"),
    step("codexgen restore 2").answers("y\n"),
    step("codexgen restore 1 --yes"),
];

#[test]
fn undo_with_restore() {
    let m = Machine::new();
    m.setup("codexgen -q gen --yes && codexgen -q use groq");
    let written = std::fs::read_to_string(m.home.join(".codex/config.toml")).unwrap();
    m.run(RESTORE);
    // `restore 2` put back the empty home; `restore 1` undid it.
    assert_eq!(
        std::fs::read_to_string(m.home.join(".codex/config.toml")).unwrap(),
        written
    );
}

/// README, "Speed" and "At scale": the reproduce blocks, with the counts
/// made small (N = 10 for 10000, two runs for 10 or 100) so that they take
/// seconds in a debug build; `cargo run --release --example X --` runs the
/// example `X`, built by `cargo test`.
const SPEED: &[Step] = &[
    step("./target/release/examples/scale_inputs 10000 > cat.yaml")
        .runs("./target/release/examples/scale_inputs 10 > cat.yaml"),
    step("./target/release/codexgen --codex-home h --catalog cat.yaml --codex-version 0.169.0 -q gen --yes"),
    step("hyperfine -N --runs 10 \"./target/release/codexgen --codex-home h --catalog cat.yaml --codex-version 0.169.0 gen --check\"")
        .runs("hyperfine -N --runs 2 \"./target/release/codexgen --codex-home h --catalog cat.yaml --codex-version 0.169.0 gen --check\"")
        .with_tool("hyperfine"),
    step("h=$(mktemp -d); ./target/release/codexgen --codex-home \"$h\" gen --yes"),
    step("hyperfine -N --warmup 5 --runs 100 \"./target/release/codexgen --codex-home $h gen --check\" \"./target/release/codexgen --codex-home $h gen --diff\" \"env CODEX_HOME=$(mktemp -d) codex --version\"")
        .runs("h=$(mktemp -d); ./target/release/codexgen -q --codex-home \"$h\" gen --yes; hyperfine -N --warmup 0 --runs 2 \"./target/release/codexgen --codex-home $h gen --check\" \"./target/release/codexgen --codex-home $h gen --diff\" \"env CODEX_HOME=$(mktemp -d) codex --version\"")
        .with_codex()
        .with_tool("hyperfine"),
    step("h=$(mktemp -d); ./target/release/codexgen --codex-home \"$h\" --codex-version 0.169.0 -q gen --yes"),
    step("cargo run --release --example scale_inputs -- 10000 > catalog.yaml")
        .runs("./target/release/examples/scale_inputs 10 > catalog.yaml"),
];

/// The `scale_inputs` example `cargo test` built beside this test binary.
fn scale_inputs() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let bin = exe.parent()?.parent()?.join("examples/scale_inputs");
    bin.is_file().then_some(bin)
}

#[test]
fn measuring_speed() {
    let Some(example) = scale_inputs() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "target/debug/examples/scale_inputs is missing: `cargo test` builds it"
        );
        eprintln!(
            "skipped: no target/debug/examples/scale_inputs (a whole `cargo test` builds it)"
        );
        return;
    };
    let m = Machine::new().with_codex();
    std::fs::create_dir_all(m.work.join("target/release/examples")).unwrap();
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("codexgen"),
        m.work.join("target/release/codexgen"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        &example,
        m.work.join("target/release/examples/scale_inputs"),
    )
    .unwrap();
    m.run(SPEED);
    assert!(m.work.join("h/config.toml").is_file());
}

/// `name` in the system folders a [`Machine`]'s `PATH` holds.
fn which(name: &str) -> Option<PathBuf> {
    ["/usr/local/bin", "/usr/bin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

// ---------------------------------------------------------------------------
// The extractor's own tests
// ---------------------------------------------------------------------------

#[test]
fn the_extractor_keeps_tool_lines_and_drops_comments_prompts_heredocs_and_output() {
    let doc = "intro\n\
               ```sh\n\
               # a comment\n\
               mkdir -p ~/x\n\
               codexgen gen --diff   # review\n\
               cargo run -- gen \\\n  --check\n\
               cat > f <<'EOF'\n\
               codexgen not-a-command\n\
               EOF\n\
               echo '# not a comment' && git status\n\
               ```\n\
               ```console\n\
               $ codexgen use\n\
               codexgen: default profile groq\n\
               ```\n\
               ```\n\
               Error: output, not shell\n\
               ```\n\
               ```\n\
               codex -p x\n\
               ```\n\
               ```yaml\n\
               codexgen: no\n\
               ```\n\
               <!-- recipe:r -->\n\
               ```bash\n\
               x=$(codexgen show)\n\
               ```\n\
               <!-- /recipe:r -->\n\
               ```shell\n\
               export GROQ_API_KEY=...\n\
               curl -fsSL https://example.com/install.sh | sh\n\
               npm install -g codexgen\n\
               pre-commit run --all-files\n\
               HOME=/x benches/scale.sh 10\n\
               for v in 1 2; do printf '%s' \"$v\"; done\n\
               ```\n";
    let got: Vec<(usize, String, Option<String>)> = shown_in("d.md", doc)
        .into_iter()
        .map(|s| (s.line, s.text, s.recipe))
        .collect();
    let want = [
        (5, "codexgen gen --diff", None),
        (6, "cargo run -- gen --check", None),
        (11, "echo '# not a comment' && git status", None),
        (14, "codexgen use", None),
        (21, "codex -p x", None),
        (28, "x=$(codexgen show)", Some("r")),
        (33, "curl -fsSL https://example.com/install.sh | sh", None),
        (34, "npm install -g codexgen", None),
        (35, "pre-commit run --all-files", None),
        (36, "HOME=/x benches/scale.sh 10", None),
    ];
    let want: Vec<(usize, String, Option<String>)> = want
        .iter()
        .map(|(l, t, r)| (*l, (*t).to_owned(), r.map(str::to_owned)))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn comments_here_documents_and_continuations_are_read_as_the_shell_reads_them() {
    assert_eq!(strip_comment("codexgen gen # review"), "codexgen gen ");
    assert_eq!(
        strip_comment("echo \"a # b\" 'c # d'"),
        "echo \"a # b\" 'c # d'"
    );
    assert_eq!(strip_comment("echo ${#x} $#"), "echo ${#x} $#");
    assert_eq!(strip_comment("# all of it"), "");
    assert_eq!(heredoc_end("cat > f <<'EOF'"), Some("EOF".to_owned()));
    assert_eq!(heredoc_end("cat > f <<-\"X\""), Some("X".to_owned()));
    assert_eq!(heredoc_end("cat <<<\"$x\""), None);
    assert_eq!(heredoc_end("codexgen gen"), None);
    assert!(runs_a_tool("d=$(mktemp -d); printf 'x' > f; cx mcp list"));
    assert!(runs_a_tool("env -u X CODEX_HOME=\"$d\" codex --version"));
    assert!(runs_a_tool("timeout 30 codexgen gen"));
    assert!(!runs_a_tool("timeout 30 \"$CODEX\" \"$@\""));
    assert!(!runs_a_tool("mkdir -p ~/.zfunc"));
    assert!(!runs_a_tool("export GROQ_API_KEY=..."));
    assert_eq!(normalize("  a \t b\n c "), "a b c");
}

#[test]
fn the_report_names_the_place_and_the_line_to_add_and_a_stale_entry() {
    let shown = vec![Shown {
        file: "docs/x.md".to_owned(),
        line: 7,
        text: "codexgen frobnicate --all".to_owned(),
        recipe: None,
    }];
    let message = disagreements(&shown);
    assert!(
        message.contains("docs/x.md:7: step(\"codexgen frobnicate --all\"),"),
        "{message}"
    );
    // Every registry entry is now unshown, and every recipe missing.
    assert!(
        message.contains("a step of docs::undo_with_restore: \"codexgen restore 2\""),
        "{message}"
    );
    assert!(message.contains("ELSEWHERE: \"cargo test\""), "{message}");
    assert!(message.contains("<!-- recipe:ci -->"), "{message}");
}

// ---------------------------------------------------------------------------
// docs/codex-versions.md: the maintainer's recipes, on the CI's Codex
// ---------------------------------------------------------------------------

/// What each recipe of docs/codex-versions.md must print with Codex 0.169.0,
/// as the page says for that release: a line of the block, and the `exit N`
/// lines (`cx` prints one per run) or other words the block's output holds,
/// in order.
const LAB_SAYS: &[(&str, &[&str])] = &[
    (
        "wire_api = \"chat\"",
        &[
            "no longer supported",
            "exit 1",
            "no longer supported",
            "exit 1",
        ],
    ),
    (
        "[model_providers.ollama]",
        &["reserved built-in provider IDs", "exit 1"],
    ),
    ("cx -p x exec", &["cannot be used while", "exit 1"]),
    (
        "model_provider = \"nope\"",
        &[
            "Model provider `nope` not found",
            "exit 1",
            "cannot be used while",
            "exit 1",
            "legacy `profile = \"x\"` config is no longer supported",
            "exit 1",
        ],
    ),
    (
        "approval_policy = \"untrusted\"",
        &["no longer supported", "exit 1"],
    ),
    (
        "[model_providers.local]\\nbase_url",
        &["provider name must not be empty", "exit 1"],
    ),
    (
        "sandbox_mode = \"bogus\"",
        &["unknown variant `bogus`", "exit 1"],
    ),
    (
        "base_ulr = \"x\"",
        &[
            "unknown configuration field `model_providers.corp.base_ulr`",
            "exit 1",
            "--strict-config",
        ],
    ),
    ("(cd p/src && m)", &["src"]),
    (
        "cx exec --skip-git-repo-check hi             # stand-in log + /tmp/tok-calls.log",
        &["auth='Bearer tok-from-command-123'", "exit 0"],
    ),
    (
        "model_provider = \"amazon-bedrock\"",
        &["exit 0", "only supports changing", "exit 1", "exit 0"],
    ),
    (
        "[model_providers.corp.aws]",
        &[
            "provider aws is only supported",
            "exit 1",
            "No prompt provided via stdin.",
            "exit 1",
        ],
    ),
    ("KEY = VALUE", &["No prompt provided via stdin.", "exit 1"]),
    (
        "http_headers_helper = [[1]]",
        &[
            "invalid type: sequence, expected a string",
            "exit 1",
            "unknown variant `bogus`",
            "exit 1",
            "exit 0",
            "exit 0",
        ],
    ),
];

/// The recipes' own placeholders given this machine's values: the stand-in's
/// fixed port, and the paths outside a scratch folder (`/root`, `/tmp`) put
/// in the scratch `home`.
fn lab_substitute(text: &str, port: u16, home: &Path) -> String {
    let home = home.display().to_string();
    let mut text = text
        .replace("18766", &port.to_string())
        .replace("mktemp -d -p /root", &format!("mktemp -d -p '{home}'"))
        .replace("/root/bin-tok", &format!("{home}/bin-tok"))
        .replace("/tmp/tok-calls.log", &format!("{home}/tok-calls.log"))
        .replace("/tmp/standin.py", &format!("{home}/standin.py"))
        // The page's placeholder for each key tried: one it names as known.
        .replace("KEY = VALUE", "supports_websockets = true");
    for (wrong, right, _why) in LAB_DOC_BUGS {
        text = text.replace(wrong, right);
    }
    text
}

/// Mistakes in docs/codex-versions.md's recipes that running them found, put
/// right here until the page is (its text, what runs, why). An entry the page
/// no longer holds is reported by the test, so the list empties as the page
/// is fixed.
const LAB_DOC_BUGS: &[(&str, &str, &str)] = &[];

/// A TCP port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

#[test]
fn the_codex_versions_recipes_run_on_the_ci_codex() {
    let Some(codex) = codex_bin_from("CODEX_BIN", "0.169.0") else {
        return;
    };
    let file = FILES_RUN[0].0;
    let m = Machine::new();
    // `npm install @openai/codex@V` in the current folder, stood in: the
    // native binary where the real package puts it (a script running
    // CODEX_BIN), so that the page's `find` finds it.
    let npm = m.root.join("bin/npm");
    std::fs::write(
        &npm,
        format!(
            "#!/bin/sh\nd=node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin\nmkdir -p \"$d\" && printf '#!/bin/sh\\nexec %s \"$@\"\\n' '{}' > \"$d/codex\" && chmod +x \"$d/codex\"\n",
            codex.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&npm, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    // The "config with every key" the `codex mcp add` recipe starts from.
    std::fs::write(
        m.work.join("config-with-every-key.toml"),
        "[mcp_servers.x]\ncommand = \"echo\"\nargs = []\nstartup_timeout_sec = 30\nenv = { A = \"1\" }\n",
    )
    .unwrap();
    let port = free_port();
    let text = std::fs::read_to_string(Path::new(ROOT).join(file)).unwrap();
    for (wrong, _, why) in LAB_DOC_BUGS {
        assert!(
            text.contains(wrong),
            "{file} no longer holds `{wrong}` ({why}): remove it from LAB_DOC_BUGS"
        );
    }
    // The stand-in runs in the background: stopped however the shell ends,
    // or the test would wait on its output for ever.
    let mut script = String::from("exec 2>&1\ntrap 'kill \"$STANDIN\" 2>/dev/null' EXIT\n");
    let mut first = true;
    for block in blocks(&text) {
        if !matches!(block.info.as_str(), "sh" | "bash") {
            continue;
        }
        let Some(&(line, _)) = block.body.first() else {
            continue;
        };
        let _ = writeln!(script, "echo '@@block {line}'");
        for (_, raw) in &block.body {
            let command = normalize(strip_comment(raw));
            if ELSEWHERE
                .iter()
                .any(|(entry, _)| elsewhere(entry, &command))
            {
                continue;
            }
            let _ = writeln!(script, "{}", lab_substitute(raw, port, &m.home));
        }
        if first {
            // The stand-in was started in the background: wait until it listens.
            let _ = writeln!(
                script,
                "for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; sleep 0.05; done"
            );
            first = false;
        }
    }
    script.push_str("echo '@@end'\n");
    let (said, _) = m.bash(&script);
    check_lab_output(file, &text, &said);
}

/// The lab's output `said` (the whole page `text`, run): it ran to its end,
/// with no shell error, and each block says what [`LAB_SAYS`] holds.
fn check_lab_output(file: &str, text: &str, said: &str) {
    assert!(said.contains("@@end"), "the recipes stopped early:\n{said}");
    for bad in [
        "command not found",
        "syntax error",
        "No such file or directory",
    ] {
        assert!(!said.contains(bad), "{bad}:\n{said}");
    }
    // Each block's output, by the line it starts at.
    let mut outputs: Vec<(usize, String)> = Vec::new();
    for line in said.lines() {
        if let Some(n) = line.strip_prefix("@@block ") {
            outputs.push((n.parse().unwrap(), String::new()));
        } else if let Some((_, out)) = outputs.last_mut() {
            out.push_str(line);
            out.push('\n');
        }
    }
    let mut report = String::new();
    for (line, out) in &outputs {
        let exits: Vec<&str> = out.lines().filter(|l| l.starts_with("exit ")).collect();
        let _ = writeln!(report, "{file}:{line}: {exits:?}");
    }
    eprintln!("{report}");
    // A recipe that runs Codex says what it must print.
    for block in blocks(text) {
        let runs_codex = block.body.iter().any(|(_, l)| {
            let command = normalize(strip_comment(l));
            command.contains("cx ")
                && !command.starts_with("cx()")
                && !ELSEWHERE
                    .iter()
                    .any(|(entry, _)| elsewhere(entry, &command))
        });
        if matches!(block.info.as_str(), "sh" | "bash") && runs_codex {
            let line = block.body.first().map_or(0, |(n, _)| *n);
            assert!(
                LAB_SAYS
                    .iter()
                    .any(|(anchor, _)| block.body.iter().any(|(_, l)| l.contains(anchor))),
                "{file}:{line}: a recipe running Codex with no entry in LAB_SAYS: add what it \
                 prints with Codex 0.169.0, as the page says"
            );
        }
    }
    for (anchor, says) in LAB_SAYS {
        let block = blocks(text).into_iter().find(|b| {
            matches!(b.info.as_str(), "sh" | "bash")
                && b.body.iter().any(|(_, l)| l.contains(anchor))
        });
        let Some((line, out)) = block
            .and_then(|b| b.body.first().map(|(n, _)| *n))
            .and_then(|start| outputs.iter().find(|(l, _)| *l == start))
        else {
            panic!("{file} holds no recipe with `{anchor}` any more: update LAB_SAYS");
        };
        let mut rest = out.as_str();
        for word in *says {
            match rest.find(word) {
                Some(i) => rest = &rest[i + word.len()..],
                None => panic!(
                    "{file}:{line}: with Codex 0.169.0 the block should say `{word}` (in the order {says:?}):\n{out}"
                ),
            }
        }
    }
}

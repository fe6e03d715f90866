//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz) and for the
//! no-panic property tests below: the stages that read text from outside
//! (catalog loader, render, merge with the file on disk, diff, redaction),
//! driven with any text. Each returns nothing; what is checked is that no
//! input makes one panic. Hidden from the docs: not an API.

use std::collections::BTreeMap;

use crate::catalog::{self, Source};
use crate::codex::{Target, Version};
use crate::diagnostic::printable;
use crate::home::CodexFile;
use crate::merge::{self, FileInput};
use crate::render::Renderer;
use crate::secrets;
use crate::state::State;

/// The Codex versions whose rules differ the most: the oldest measured (chat
/// wire API, `-p` trap), the last legacy-table one, the newest.
const TARGETS: &[Version] = &[
    Version::new(0, 89, 0),
    Version::new(0, 133, 0),
    Version::new(0, 169, 0),
];

/// The whole pipeline on one catalog, a config.toml and a profile file, for
/// each target: load, layer over the built-in catalog, build, render, merge,
/// diff, and show every line and error as they would be printed.
pub fn pipeline(catalog: &str, config: &str, profile: &str) {
    // Alone, and as an overlay on the shipped catalog (which reaches the
    // render and merge stages far more often).
    let runs = TARGETS
        .iter()
        .map(|&v| (v, false))
        .chain(std::iter::once((Version::new(0, 169, 0), true)));
    for (version, overlay) in runs {
        let mut sources = Vec::new();
        if overlay {
            sources.push(Source::embedded());
        }
        sources.push(Source {
            name: "fuzz.yaml".to_owned(),
            text: catalog.to_owned(),
        });
        let target = Target::at(version);
        let layered = match catalog::layer(sources) {
            Ok(layered) => layered,
            Err(e) => {
                show(&crate::error::Error::from(e).render());
                continue;
            }
        };
        let _ = layered.codex_requirement();
        let built = match layered.build(&target) {
            Ok(built) => built,
            Err(e) => {
                show(&crate::error::Error::from(e).render());
                continue;
            }
        };
        let rendered = match Renderer::new(None).and_then(|r| r.render(&built, &target)) {
            Ok(rendered) => rendered,
            Err(e) => {
                show(&crate::error::Error::from(e).render());
                continue;
            }
        };
        // The built-in templates promise TOML for any valid catalog (the
        // renderer no longer parses their output to check): hold them to it.
        for r in &rendered {
            assert!(
                r.text.parse::<toml_edit::DocumentMut>().is_ok(),
                "the built-in templates wrote invalid TOML for {}:\n{}",
                r.file,
                r.text
            );
        }
        merge_rendered(&built, &rendered, config, profile);
    }
}

fn merge_rendered(
    built: &catalog::Catalog,
    rendered: &[crate::render::Rendered],
    config: &str,
    profile: &str,
) {
    let inputs: Vec<FileInput<'_>> = rendered
        .iter()
        .map(|r| FileInput {
            file: r.file.clone(),
            label: r.file.to_string(),
            current: Some(if r.file == CodexFile::Config {
                config
            } else {
                profile
            }),
            desired: Some(&r.text),
            previous: &[],
            unchanged: false,
        })
        .collect();
    let adopt: Vec<_> = built.profiles.iter().map(|p| p.name.clone()).collect();
    match merge::merge_home(&inputs, &crate::header::header(&built.version), &adopt) {
        Ok(merged) => {
            for (input, merged) in inputs.iter().zip(&merged) {
                for line in
                    crate::diff::unified(&input.label, input.current, merged.text.as_deref())
                {
                    show(&line.text);
                }
                // What gen would write next time must read back.
                let state = State::new(BTreeMap::from([(
                    input.file.clone(),
                    crate::state::FileState {
                        managed: merged.managed.clone(),
                        ..crate::state::FileState::default()
                    },
                )]));
                let _ = State::parse(&state.to_text());
            }
        }
        Err(e) => show(&crate::error::Error::from(e).render()),
    }
}

/// Everything that turns outside text into printed text.
pub fn redaction(text: &str) {
    show(&secrets::redact(text));
    show(&secrets::scrub(text));
    show(&secrets::mask(text));
    let _ = secrets::looks_like_secret(text);
    let _ = secrets::is_credential_name(text);
}

/// codexgen's own state file (its journal, the record that travels with a
/// linked config.toml), as a damaged or hostile one may read.
pub fn state(text: &str) {
    let _ = State::parse(text);
    let _ = State::new(BTreeMap::new()).with_journal(text);
    if let Ok(record) = crate::state::Record::parse(text) {
        let _ = record.to_text();
        let _ = record.settle(Some(text.as_bytes()));
    }
}

fn show(text: &str) {
    let _ = printable(text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pieces that steer arbitrary text into the parsers' deep paths.
    const YAML: &[&str] = &[
        "schema: 1\n",
        "version: \"v\"\n",
        "default: p\n",
        "providers:\n  x:\n    base_url: https://x.example/v1\n",
        "    name: Ü名\n",
        "    http_headers: {É: \"ü\"}\n",
        "profiles:\n  p:\n    provider: x\n    model: m\n",
        "  ü:\n    provider: openai\n",
        "    model_reasoning_effort: hügh\n",
        "    auth: {command: op, args: [read, {x: y}], timeout_ms: 0, cwd: ü}\n",
        "    auth:\n      command: ./ü\n",
        "  amazon-bedrock:\n    aws: {profile: p, credential_export: {command: 1}}\n",
        "    aws:\n      auth_refresh: ~\n",
        "    env_key: K\n",
        "~\n",
        ": \n",
        "- ",
        "&a [*a]\n",
        "\"\\u00e9\"",
        "é",
        "\t",
    ];
    const TOML: &[&str] = &[
        "# Übersicht: alles\n",
        "model = \"m\"\n",
        "[model_providers.x]\n",
        "name = \"é\"\n",
        "[profiles.p]\n",
        "[projects.\"/ü/中\"]\ntrust_level = \"trusted\"\n",
        "# codexgen: note\n",
        "名前: 値\n",
        "key = \"token: 🙂\"\n",
        "\r\n",
        "[",
        "]",
        "=",
        "\"",
    ];

    fn text(pieces: &'static [&'static str]) -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                3 => proptest::sample::select(pieces).prop_map(str::to_owned),
                1 => any::<String>(),
            ],
            0..12,
        )
        .prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn the_pipeline_never_panics(
            catalog in text(YAML),
            config in text(TOML),
            profile in text(TOML),
        ) {
            pipeline(&catalog, &config, &profile);
        }

        #[test]
        fn redaction_never_panics(line in text(TOML)) {
            redaction(&line);
        }

        #[test]
        fn any_state_file_is_read_or_refused(state_text in text(TOML)) {
            state(&state_text);
        }
    }

    #[test]
    fn known_panics_stay_fixed() {
        // The adversarial report's cases: non-ASCII before `:` or `=`.
        redaction("# Übersicht: alles");
        pipeline(
            "providers:\n  x:\n    name: \"Ü: v\"\n",
            "# Übersicht: alles\nmodel = \"m\"\n",
            "clé = \"v\"\n",
        );
        // A review's case: a legacy profile table rendered with an inline
        // table, adopted; a new file's merge must be the general one's.
        pipeline(
            "schema: 1\nversion: v\ndefault: q\nprofiles:\n  q:\n    provider: openai\n    model: m\n    unchecked:\n      xx_custom:\n        yy:\n          zz:\n            ww: 1\n",
            "",
            "",
        );
    }
}

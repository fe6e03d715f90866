//! The pipeline's stages one at a time, and generated inputs of any size,
//! for the benchmarks in `benches/`, the scale script and the scale test.
//! Hidden from the docs: not an API. Each stage takes the previous one's
//! output, as `plan` chains them (catalog -> render -> merge -> diff).

use std::fmt::Write as _;

use crate::catalog::{self, Catalog, Source};
use crate::codex::{Target, Version};
use crate::home::{CodexFile, ProfileName};
use crate::merge::{self, FileInput};
use crate::render::{self, Renderer};

/// A catalog of `n` providers and `n` profiles, one profile per provider,
/// each with the keys a real one has (name, URL, key variable, a query
/// parameter, a header; a model and a reasoning effort).
pub fn catalog_text(n: usize) -> String {
    let mut out = String::with_capacity(n * 260);
    let _ = writeln!(
        out,
        "schema: 1\nversion: \"scale-{n}\"\ndefault: p0\nproviders:"
    );
    for i in 0..n {
        let _ = writeln!(
            out,
            "  prov{i}:\n    name: Provider {i}\n    base_url: https://p{i}.example/v1\n    env_key: PROV{i}_API_KEY\n    query_params: {{api-version: \"2025-04-01\"}}\n    http_headers: {{X-Team: platform}}"
        );
    }
    out.push_str("profiles:\n");
    for i in 0..n {
        let _ = writeln!(
            out,
            "  p{i}:\n    provider: prov{i}\n    model: model-{i}\n    model_reasoning_effort: high"
        );
    }
    out
}

/// `n` `[projects."..."]` trust entries, as Codex appends them to config.toml.
pub fn projects_text(n: usize) -> String {
    let mut out = String::with_capacity(n * 64);
    for i in 0..n {
        let _ = writeln!(
            out,
            "[projects.\"/home/user/src/project-{i}\"]\ntrust_level = \"trusted\"\n"
        );
    }
    out
}

/// The Codex version a stage targets: `files` for 0.169.0 (profile files),
/// else 0.133.0 (legacy tables).
pub fn target(files: bool) -> Target {
    Target::at(if files {
        Version::new(0, 169, 0)
    } else {
        Version::new(0, 133, 0)
    })
}

/// Load and check: parse, layer and build.
pub struct Loaded(Catalog);

pub fn load(text: &str, target: &Target) -> Loaded {
    let source = Source {
        name: "scale.yaml".to_owned(),
        text: text.to_owned(),
    };
    let layered = catalog::layer(vec![source]).expect("a generated catalog parses");
    Loaded(layered.build(target).expect("a generated catalog is valid"))
}

/// Render every file.
pub struct Rendered(Vec<render::Rendered>, String);

pub fn render(loaded: &Loaded, target: &Target) -> Rendered {
    let rendered = Renderer::new(None)
        .and_then(|r| r.render(&loaded.0, target))
        .expect("the built-in templates render a valid catalog");
    Rendered(rendered, crate::header::header(&loaded.0.version))
}

/// Merged files: each one's name, the text on disk, and the planned text.
pub struct Merged(Vec<(String, Option<String>, Option<String>)>);

/// Merge every rendered file with what is on disk: `config` for
/// config.toml, nothing for the profile files (a first run), no state.
pub fn merge(rendered: &Rendered, config: Option<&str>) -> Merged {
    let inputs: Vec<FileInput<'_>> = rendered
        .0
        .iter()
        .map(|r| FileInput {
            file: r.file.clone(),
            label: r.file.to_string(),
            current: (r.file == CodexFile::Config).then_some(config).flatten(),
            desired: Some(&r.text),
            previous: &[],
            unchanged: false,
        })
        .collect();
    let adopt: Vec<ProfileName> = rendered
        .0
        .iter()
        .filter_map(|r| r.file.profile().cloned())
        .collect();
    let merged = merge::merge_home(&inputs, &rendered.1, &adopt).expect("generated files merge");
    Merged(
        inputs
            .iter()
            .zip(merged)
            .map(|(input, m)| {
                (
                    input.label.clone(),
                    input.current.map(str::to_owned),
                    m.text,
                )
            })
            .collect(),
    )
}

/// The unified diff of every merged file; returns its number of lines.
pub fn diff(merged: &Merged) -> usize {
    merged
        .0
        .iter()
        .map(|(name, old, new)| crate::diff::unified(name, old.as_deref(), new.as_deref()).len())
        .sum()
}

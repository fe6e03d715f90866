//! `codexgen schema` and the committed `schema/providers.schema.json`: the
//! file is what the binary prints (stale means this test fails;
//! `SNAPSHOTS=overwrite cargo test` rewrites it), the
//! shipped catalog and the README's full example pass it, and the typos and
//! bad values `gen` refuses are refused by the schema too.

use std::path::{Path, PathBuf};

use crate::support::World;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn printed_schema() -> String {
    let out = World::new().cmd().arg("schema").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(&printed_schema()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn yaml(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).expect("the test YAML parses")
}

/// The schema's complaints about `text`, one line each.
fn errors(v: &jsonschema::Validator, text: &str) -> Vec<String> {
    v.iter_errors(&yaml(text))
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The full catalog example of docs/catalog.md: the first yaml block of "## The catalog".
fn readme_example() -> String {
    let readme = std::fs::read_to_string(repo("docs/catalog.md")).unwrap();
    let section = readme.split("\n## The catalog\n").nth(1).unwrap();
    let block = section.split("```yaml\n").nth(1).unwrap();
    block.split("```").next().unwrap().to_owned()
}

#[test]
fn the_committed_schema_is_what_the_binary_prints() {
    let printed = printed_schema();
    let path = repo("schema/providers.schema.json");
    // Stale: review the diff, run `SNAPSHOTS=overwrite cargo test` and commit it.
    snapbox::assert_data_eq!(
        snapbox::IntoData::raw(printed),
        snapbox::Data::read_from(&path, None).raw()
    );
}

#[test]
fn the_shipped_catalog_names_the_committed_schema() {
    let catalog = std::fs::read_to_string(repo("providers.yaml")).unwrap();
    let first = catalog.lines().next().unwrap();
    let rel = first
        .strip_prefix("# yaml-language-server: $schema=")
        .expect("providers.yaml starts with the yaml-language-server line");
    assert!(
        repo(rel).is_file(),
        "{rel} is not a file beside providers.yaml"
    );
}

#[test]
fn the_shipped_catalog_and_the_readme_example_pass_the_schema() {
    let v = validator();
    let shipped = std::fs::read_to_string(repo("providers.yaml")).unwrap();
    assert_eq!(errors(&v, &shipped), Vec::<String>::new());
    let example = readme_example();
    assert!(example.contains("stream_idle_timeout_ms"), "{example}");
    assert_eq!(errors(&v, &example), Vec::<String>::new());
    // The README example is a valid catalog for codexgen too.
    let w = World::new();
    let path = w.catalog(&example);
    w.cmd()
        .args(["gen", "--check", "--catalog"])
        .arg(path)
        .assert()
        .code(1);
}

/// What codexgen takes, the schema takes: `default: ~` (the top-level model
/// left unmanaged) and a `base_url` with a trailing slash (Codex drops it).
#[test]
fn the_schema_takes_a_null_default_and_a_trailing_slash_as_gen_does() {
    let v = validator();
    let shipped = std::fs::read_to_string(repo("providers.yaml")).unwrap();
    let catalog = shipped.replace("default: openai", "default: ~").replace(
        "base_url: https://api.groq.com/openai/v1\n",
        "base_url: https://api.groq.com/openai/v1/\n",
    );
    assert_ne!(catalog, shipped);
    assert_eq!(errors(&v, &catalog), Vec::<String>::new());
    let w = World::new();
    w.catalog(&catalog);
    w.cmd().args(["validate"]).assert().code(0);
}

#[test]
fn the_schema_refuses_a_typo_and_a_bad_value_as_gen_does() {
    let v = validator();
    let example = readme_example();
    let cases = [
        (
            example.replace(
                "    base_url: https://api.groq",
                "    base_ulr: https://api.groq",
            ),
            "/providers/groq",
            "unknown key `base_ulr`",
        ),
        (
            example.replace(
                "model_reasoning_effort: high",
                "model_reasoning_effort: hihg",
            ),
            "/profiles/deep/model_reasoning_effort",
            "`model_reasoning_effort: hihg`",
        ),
        (
            example.replace("request_max_retries: 4", "request_max_retries: 101"),
            "/providers/gateway/request_max_retries",
            "101 is out of range",
        ),
        (
            example.replace("env_key: GROQ_API_KEY", "env_key: GROQ API KEY"),
            "/providers/groq/env_key",
            "error:",
        ),
        (
            example.replace(
                "    name: \"ACME gateway\"\n",
                "    name: \"ACME gateway\"\n    experimental_bearer_token: x\n",
            ),
            "/providers/gateway",
            "literal token",
        ),
        (
            example.replace(
                "  groq:\n    provider: groq\n",
                "  \"-groq\":\n    provider: groq\n",
            ),
            "/profiles",
            "starts with `-`",
        ),
        (
            example.replace(
                "  groq:\n    provider: groq\n",
                &format!("  {}:\n    provider: groq\n", "g".repeat(244)),
            ),
            "/profiles",
            "is 244 bytes long",
        ),
    ];
    for (text, at, gen_says) in cases {
        assert_ne!(text, example, "the case did not change the example");
        let found = errors(&v, &text);
        assert!(
            found.iter().any(|e| e.starts_with(&format!("{at}: "))),
            "the schema should refuse {at}: {found:?}"
        );
        let w = World::new();
        let path = w.catalog(&text);
        w.cmd()
            .args(["gen", "--check", "--catalog"])
            .arg(path)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(gen_says));
    }
}

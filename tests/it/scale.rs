//! codexgen at scale (issue 10): with many providers and profiles, in both
//! layouts, every provider and profile is written, unmanaged entries are
//! kept, and a second run finds the home in sync. Timings are `benches/`'s
//! job (and the README's measured figures, at 10,000); this checks the
//! output is right at a size past the ones that matter to the code: the
//! rendered config.toml is merged in 64 KiB pieces, so it must span several.

use crate::support::World;

const N: usize = 640;

/// The size of a piece the merge works on (`merge::PIECE`).
const PIECE: usize = 64 * 1024;

fn check_layout(version: &str, profile_files: bool) {
    let w = World::new();
    let catalog = codexgen::stages::catalog_text(N);
    let projects = codexgen::stages::projects_text(500);
    w.catalog(&catalog);
    w.file("codex-home/config.toml", &format!("# mine\n{projects}"));
    let run = |args: &[&str]| {
        let mut cmd = w.cmd();
        cmd.arg("--codex-version").arg(version).args(args);
        cmd
    };
    run(&["gen", "--yes"]).assert().success();

    let config = w.read("config.toml");
    let rendered = config.len() - projects.len();
    assert!(
        rendered > 2 * PIECE,
        "codexgen's part of config.toml is {rendered} bytes: too small to span several merge pieces"
    );
    assert!(config.contains("# mine\n"), "the user's comment is kept");
    assert!(
        config.contains(&projects),
        "the [projects] entries are kept byte for byte"
    );
    let doc: toml_edit::DocumentMut = config.parse().expect("config.toml parses");
    let providers = doc["model_providers"].as_table().expect("providers");
    assert_eq!(providers.len(), N);
    for i in [0, 1, N / 2, N - 1] {
        let p = &providers[&format!("prov{i}")];
        assert_eq!(
            p["base_url"].as_str(),
            Some(format!("https://p{i}.example/v1").as_str())
        );
        assert_eq!(
            p["env_key"].as_str(),
            Some(format!("PROV{i}_API_KEY").as_str())
        );
    }
    if profile_files {
        let files = std::fs::read_dir(&w.home)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".config.toml")
            })
            .count();
        assert_eq!(files, N);
        for i in [0, N / 2, N - 1] {
            let profile: toml_edit::DocumentMut =
                w.read(&format!("p{i}.config.toml")).parse().unwrap();
            assert_eq!(
                profile["model"].as_str(),
                Some(format!("model-{i}").as_str())
            );
            assert_eq!(
                profile["model_provider"].as_str(),
                Some(format!("prov{i}").as_str())
            );
        }
    } else {
        let profiles = doc["profiles"].as_table().expect("legacy tables");
        assert_eq!(profiles.len(), N);
        let last = format!("model-{}", N - 1);
        assert_eq!(
            profiles[&format!("p{}", N - 1)]["model"].as_str(),
            Some(last.as_str())
        );
    }

    run(&["gen", "--check"])
        .assert()
        .success()
        .stdout(predicates::str::contains("in sync"));
    // One provider changes: config.toml alone is rewritten.
    w.catalog(&catalog.replace(
        "base_url: https://p7.example/v1",
        "base_url: https://p7.example/v2",
    ));
    run(&["gen", "--check"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("config.toml: out of date"))
        .stdout(predicates::str::contains("1 file(s) out of date"));
    run(&["gen", "--yes"]).assert().success();
    run(&["gen", "--check"]).assert().success();
    assert!(w.read("config.toml").contains(&projects));
}

#[test]
fn many_profiles_as_files() {
    check_layout("0.169.0", true);
}

#[test]
fn many_profiles_as_legacy_tables() {
    check_layout("0.133.0", false);
}

/// Past a few hundred files, the home's files are read and merged and their
/// diffs made on two threads (`halves`): the diff still says every file
/// once, in the order one thread says them, and of two refused files (a
/// dangling link in each half) the first in that order is the one named.
#[test]
fn many_files_are_said_in_order_and_the_first_refusal_is_named() {
    let w = World::new();
    w.catalog(&codexgen::stages::catalog_text(N));
    let run = |args: &[&str]| {
        w.cmd()
            .args(["--codex-version", "0.169.0"])
            .args(args)
            .output()
            .unwrap()
    };
    let diff = String::from_utf8(run(&["gen", "--diff"]).stdout).unwrap();
    let files: Vec<&str> = diff
        .lines()
        .filter_map(|l| l.strip_prefix("+++ b/"))
        .collect();
    let mut profiles: Vec<String> = (0..N).map(|i| format!("p{i}.config.toml")).collect();
    assert_eq!(files.first(), Some(&"config.toml"));
    assert_eq!(
        files[1..],
        profiles[..],
        "every file once, in catalog order"
    );
    let check = run(&["gen", "--check"]);
    let listed: Vec<&str> = std::str::from_utf8(&check.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_suffix(": missing, would be created"))
        .collect();
    assert_eq!(listed[1..], profiles[..]);

    let (early, late) = (profiles.remove(N / 4), profiles.remove(3 * N / 4));
    for name in [&early, &late] {
        std::os::unix::fs::symlink("nowhere.toml", w.home.join(name)).unwrap();
    }
    let refused = |out: std::process::Output| {
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).unwrap()
    };
    let stderr = refused(run(&["gen", "--check"]));
    assert!(
        stderr.contains(&*early) && !stderr.contains(&*late),
        "{stderr}"
    );
    std::fs::remove_file(w.home.join(&early)).unwrap();
    let stderr = refused(run(&["gen", "--check"]));
    assert!(stderr.contains(&*late), "{stderr}");
}

//! The rendered output of the shipped catalog, kept as golden files under
//! `tests/it/snapshots/`, so a pull request that changes the output shows the
//! change in its diff. `UPDATE_SNAPSHOTS=1 cargo test` rewrites them.

use std::path::Path;

use crate::support::World;

#[test]
fn shipped_catalog_output_matches_the_snapshots() {
    let w = World::new();
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("providers.yaml");
    w.cmd()
        .args(["gen", "--yes", "--catalog"])
        .arg(&catalog)
        .assert()
        .success();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut generated: Vec<String> = std::fs::read_dir(&w.home)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    generated.sort();
    if update {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut failures = Vec::new();
    for name in &generated {
        let actual = std::fs::read_to_string(w.home.join(name)).unwrap();
        let golden = dir.join(name);
        if update {
            std::fs::write(&golden, &actual).unwrap();
        } else if std::fs::read_to_string(&golden).ok().as_deref() != Some(actual.as_str()) {
            failures.push(name.clone());
        }
    }
    let mut expected: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    expected.sort();
    assert_eq!(
        generated, expected,
        "the set of generated files changed; run UPDATE_SNAPSHOTS=1 cargo test"
    );
    assert!(
        failures.is_empty(),
        "output differs from tests/it/snapshots for {failures:?}; review and run UPDATE_SNAPSHOTS=1 cargo test"
    );
}

//! The rendered output of the shipped catalog, kept as golden files under
//! `tests/it/snapshots/`, so a pull request that changes the output shows the
//! change in its diff. Compared byte for byte with snapbox;
//! `SNAPSHOTS=overwrite cargo test --test it snapshots::` rewrites them
//! (and removes the file of a profile the catalog no longer has).

use std::path::Path;

use snapbox::{Data, IntoData as _};

use crate::support::World;

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

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
    let generated = names(&w.home);
    let overwrite = std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite");
    for name in &generated {
        let actual = std::fs::read_to_string(w.home.join(name)).unwrap();
        snapbox::assert_data_eq!(actual.raw(), Data::read_from(&dir.join(name), None).raw());
    }
    if overwrite {
        for stale in names(&dir).iter().filter(|n| !generated.contains(n)) {
            std::fs::remove_file(dir.join(stale)).unwrap();
        }
    }
    assert_eq!(
        generated,
        names(&dir),
        "the set of generated files changed; review and run SNAPSHOTS=overwrite cargo test --test it snapshots::"
    );
}

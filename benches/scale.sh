#!/usr/bin/env bash
# Times the release binary end to end at N = 10, 100, 1,000 and 10,000
# providers and profiles, beside `codex --version` as the yardstick, and
# prints a Markdown table: mean wall time (hyperfine) and peak memory
# (/usr/bin/time) per case.
#
# Usage: benches/scale.sh [N ...]        (from anywhere; default: 10 100 1000 10000)
# Needs: hyperfine, GNU time (/usr/bin/time); `codex` on PATH for the yardstick row.
# Cases, for each N and each layout (profile files: --codex-version 0.169.0;
# legacy tables: 0.133.0):
#   first   gen --yes into an empty home
#   diff0   gen --diff against an empty home
#   check   gen --check, in sync
#   diff    gen --diff, in sync
#   one     gen --yes after one provider changed (its URL)
#   proj    gen --check, in sync, config.toml holding 5,000 unmanaged [projects]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sizes=("$@")
((${#sizes[@]})) || sizes=(10 100 1000 10000)
cargo build --release --quiet --bin codexgen --example scale_inputs
bin=$PWD/target/release/codexgen
inputs=$PWD/target/release/examples/scale_inputs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME=$work/cache NO_COLOR=1

# time_case NAME PREPARE COMMAND: prints "| NAME | mean ms | peak MB |".
time_case() {
    local name=$1 prepare=$2 command=$3 runs=10 mean peak
    [[ $name == *" 10000 "* ]] && runs=3
    hyperfine --shell=bash --style=none --warmup 1 --runs "$runs" \
        --prepare "$prepare" --export-csv "$work/t.csv" "$command" >/dev/null 2>&1
    mean=$(awk -F, 'NR == 2 { printf "%.1f", $2 * 1000 }' "$work/t.csv")
    bash -c "$prepare" >/dev/null 2>&1
    # GNU time's %M is the largest resident set of the process tree's members.
    /usr/bin/time -f '%M' -o "$work/peak" bash -c "$command" >/dev/null 2>&1 || true
    peak=$(tail -n 1 "$work/peak")
    printf '| %s | %s | %.0f |\n' "$name" "$mean" "$((peak / 1024))"
}

echo "| case (N, layout) | mean ms | peak MB |"
echo "|---|---|---|"
if command -v codex >/dev/null; then
    time_case "codex --version (yardstick)" "true" "CODEX_HOME=$work/yard codex --version"
fi
for n in "${sizes[@]}"; do
    "$inputs" "$n" >"$work/cat.yaml"
    sed 's|base_url: https://p0.example/v1|base_url: https://p0.example/v2|' "$work/cat.yaml" >"$work/cat1.yaml"
    "$inputs" --projects 5000 >"$work/projects.toml"
    for layout in files tables; do
        version=0.169.0
        [[ $layout == tables ]] && version=0.133.0
        run="$bin --catalog $work/cat.yaml --codex-version $version --codex-home"
        home=$work/home-$layout
        fresh="rm -rf $home && mkdir -p $home"
        synced="$fresh && $run $home gen --yes"
        time_case "first $n $layout" "$fresh" "$run $home gen --yes"
        time_case "diff0 $n $layout" "$fresh" "$run $home gen --diff"
        bash -c "$synced" >/dev/null 2>&1
        time_case "check $n $layout" "true" "$run $home gen --check"
        time_case "diff $n $layout" "true" "$run $home gen --diff"
        time_case "one $n $layout" "$synced" \
            "$bin --catalog $work/cat1.yaml --codex-version $version --codex-home $home gen --yes"
        proj="$fresh && cp $work/projects.toml $home/config.toml && $run $home gen --yes"
        bash -c "$proj" >/dev/null 2>&1
        time_case "proj $n $layout" "true" "$run $home gen --check"
    done
done

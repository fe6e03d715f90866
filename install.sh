#!/bin/sh
# Installs codexgen from a release archive: downloads the archive for this
# machine from GitHub releases (the latest, or --version X.Y.Z), or takes a
# local one (--archive FILE, with FILE.sha256 beside it), checks its SHA-256,
# and puts the binary in ~/.local/bin (or --to DIR).
#
#   curl -fsSL https://github.com/codexgen/codexgen/releases/latest/download/install.sh | sh
#   sh install.sh --archive codexgen-0.1.0-x86_64-unknown-linux-musl.tar.gz --to ~/bin
#
# Usage: install.sh [--version X.Y.Z] [--archive FILE] [--to DIR] [--force]
#   --version X.Y.Z   the release to install (default: the latest)
#   --archive FILE    install from this archive instead of downloading;
#                     FILE.sha256 must sit beside it
#   --to DIR          where the binary goes (default: ~/.local/bin)
#   --force           replace a codexgen at DIR/codexgen that this script did
#                     not install (it says so); without it, such a file is kept
#                     and the script stops
# Env: CODEXGEN_VERSION, CODEXGEN_ARCHIVE, CODEXGEN_INSTALL_DIR (the same as the
#      options), CODEXGEN_REPO (owner/name on GitHub; default codexgen/codexgen).
#
# What this script installed is recorded, with the binary's SHA-256, in
# ${XDG_CONFIG_HOME:-~/.config}/codexgen/install-receipt: a file at the
# destination that does not match the record is not replaced without --force.
set -eu

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

version=${CODEXGEN_VERSION:-}
archive=${CODEXGEN_ARCHIVE:-}
to=${CODEXGEN_INSTALL_DIR:-${HOME:?HOME is not set}/.local/bin}
repo=${CODEXGEN_REPO:-codexgen/codexgen}
force=no
while [ $# -gt 0 ]; do
    case $1 in
        --version) [ $# -ge 2 ] || die "--version needs X.Y.Z"; version=${2#v}; shift 2 ;;
        --archive) [ $# -ge 2 ] || die "--archive needs a file"; archive=$2; shift 2 ;;
        --to) [ $# -ge 2 ] || die "--to needs a folder"; to=$2; shift 2 ;;
        --force) force=yes; shift ;;
        -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

# The target triple of this machine, as the release archives name it.
detect_target() {
    os=$(uname -s)
    arch=$(uname -m)
    case $os in
        Linux) os=unknown-linux-musl ;;
        Darwin)
            os=apple-darwin
            # An x86_64 shell under Rosetta on Apple silicon: install the native one.
            if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
                arch=arm64
            fi
            ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT) os=pc-windows-msvc ;;
        *) die "no release archive for $os; build from source: cargo install --locked codexgen" ;;
    esac
    case $arch in
        x86_64 | amd64) arch=x86_64 ;;
        aarch64 | arm64) arch=aarch64 ;;
        *) die "no release archive for $arch; build from source: cargo install --locked codexgen" ;;
    esac
    if [ "$os" = pc-windows-msvc ] && [ "$arch" != x86_64 ]; then
        die "no release archive for $arch Windows; build from source: cargo install --locked codexgen"
    fi
    printf '%s-%s\n' "$arch" "$os"
}

download() { # URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl --proto '=https' --tlsv1.2 -fsSL -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget --https-only -q -O "$2" "$1"
    else
        die "neither curl nor wget is installed"
    fi
}

sha256_of() { # FILE
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 "$1" | sed 's/^.*= *//'
    else
        die "no sha256sum, shasum or openssl to check the archive with"
    fi
}

scratch=$(mktemp -d 2>/dev/null || mktemp -d -t codexgen)
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "$archive" ]; then
    [ -f "$archive" ] || die "no archive at $archive"
    [ -f "$archive.sha256" ] || die "no checksum at $archive.sha256 (it comes beside each release archive)"
    sums=$archive.sha256
else
    target=$(detect_target)
    case $target in *windows*) ext=zip ;; *) ext=tar.gz ;; esac
    if [ -z "$version" ]; then
        download "https://api.github.com/repos/$repo/releases/latest" "$scratch/latest.json" ||
            die "cannot ask GitHub for the latest release of $repo"
        version=$(sed -n 's/^ *"tag_name": *"v\{0,1\}\([^"]*\)".*$/\1/p' "$scratch/latest.json" | head -n 1)
        [ -n "$version" ] || die "cannot find the latest release of $repo"
    fi
    name=codexgen-$version-$target.$ext
    url=https://github.com/$repo/releases/download/v$version/$name
    say "downloading $url"
    download "$url" "$scratch/$name" || die "cannot download $url"
    download "$url.sha256" "$scratch/$name.sha256" || die "cannot download $url.sha256"
    archive=$scratch/$name
    sums=$scratch/$name.sha256
fi

want=$(cut -d ' ' -f 1 <"$sums")
got=$(sha256_of "$archive")
[ "$want" = "$got" ] || die "the checksum of $archive does not match $sums (want $want, got $got): not installed"

mkdir "$scratch/unpacked"
case $archive in
    *.zip) unzip -q "$archive" -d "$scratch/unpacked" || die "cannot unpack $archive" ;;
    *) tar -xzf "$archive" -C "$scratch/unpacked" || die "cannot unpack $archive" ;;
esac
binary=
for candidate in "$scratch"/unpacked/*/codexgen "$scratch"/unpacked/*/codexgen.exe; do
    if [ -f "$candidate" ]; then
        [ -z "$binary" ] || die "$archive holds more than one codexgen"
        binary=$candidate
    fi
done
[ -n "$binary" ] || die "$archive holds no codexgen binary"
exe=${binary##*/}
# Run before anything is replaced: a binary for another machine (or a broken
# one) must not take the place of one that works.
said=$("$binary" --version 2>/dev/null) ||
    die "the codexgen in $archive does not run on this machine (a different OS or CPU?); nothing installed"

mkdir -p "$to" || die "cannot create $to"
to=$(cd "$to" && pwd)
dest=$to/$exe
receipt_dir=${XDG_CONFIG_HOME:-$HOME/.config}/codexgen
receipt=$receipt_dir/install-receipt

# Is the file at DEST the one this script put there? The receipt holds one
# line per install: the binary's SHA-256, two spaces, its path.
installed_by_us() {
    [ -f "$receipt" ] && [ -f "$dest" ] && [ ! -L "$dest" ] || return 1
    grep -Fxq "$(sha256_of "$dest")  $dest" "$receipt"
}

if [ -d "$dest" ] && [ ! -L "$dest" ]; then
    die "$dest is a folder; it is left as it is. Pass --to DIR for another folder"
fi
if [ -e "$dest" ] || [ -L "$dest" ]; then
    if installed_by_us; then
        say "replacing $dest ($("$dest" --version 2>/dev/null || echo 'an earlier codexgen'), installed by this script)"
    elif [ "$force" = yes ]; then
        say "replacing $dest, which this script did not install (--force)"
    else
        die "$dest exists and this script did not install it; it is left as it is. Remove it, pass --to DIR for another folder, or --force to replace it"
    fi
fi

# Copy beside the destination and rename over it, so the old binary is
# replaced whole (a link at DEST is replaced, never written through).
if ! { cp "$binary" "$to/.$exe.install.$$" && chmod 755 "$to/.$exe.install.$$"; }; then
    rm -f "$to/.$exe.install.$$"
    die "cannot write in $to"
fi
# mv onto a link to a folder would move into that folder: the link goes first.
if [ -L "$dest" ]; then rm -f "$dest"; fi
mv -f "$to/.$exe.install.$$" "$dest" || { rm -f "$to/.$exe.install.$$"; die "cannot write $dest"; }


mkdir -p "$receipt_dir"
{
    # Every other line kept: the path starts after the hash and two spaces.
    if [ -f "$receipt" ]; then DEST=$dest awk 'substr($0, 67) != ENVIRON["DEST"]' "$receipt"; fi
    printf '%s  %s\n' "$(sha256_of "$dest")" "$dest"
} >"$receipt.$$"
mv -f "$receipt.$$" "$receipt"

say "installed $said to $dest"
case :${PATH:-}: in
    *:"$to":*) ;;
    *) say "$to is not on your PATH; add it, e.g. in ~/.profile or your shell's rc file:"
       say "    export PATH=\"$to:\$PATH\"" ;;
esac
say "shell completions: 'codexgen completions --help'; the manual page: 'codexgen man'"

#!/usr/bin/env bash
# debian-arm64-runtime.sh: prints the folder of a real arm64 CPython from Debian's archive, made once and cached.
#
# The folder holds
#   root/   python3.11-minimal, libpython3.11-stdlib, libpython3.11 (the shared libpython), libopenblas0-pthread and
#           every package they need (arm64), each unpacked with dpkg -x; the alternatives their postinst scripts would make (libblas.so.3, liblapack.so.3,
#           libopenblas.so.0) are made as absolute links through root/etc/alternatives, and the .pyc files py3compile
#           would make are compiled, as on an installed system
#   site/   python3-numpy (arm64) unpacked with dpkg -x: site/usr/lib/python3/dist-packages is a target site-packages
#   packages.txt   the .deb files it was made from (name, version, size, checksum)
# under ${PYFREEZE_BUILD_CACHE:-${XDG_CACHE_HOME:-~/.cache}/pyfreeze/build}/test-runtimes/debian-arm64-KEY, where KEY
# is a hash of that package list (and of LAYOUT): a new Debian point release makes a new folder, an unchanged archive
# reuses it.
#
# Needs the arm64 architecture in dpkg and its package lists (dpkg --add-architecture arm64 && apt-get update; .ci/run
# does it); nothing is installed on this machine. The tests, bench/ and .ci/run call this script.
set -euo pipefail

PACKAGES=(python3.11-minimal libpython3.11-stdlib libpython3.11 libopenblas0-pthread python3-numpy)
SITE_PACKAGES=(python3-numpy)
LAYOUT=3 # bump when what this script makes of the packages changes

die() { echo "debian-arm64-runtime: $*" >&2; exit 1; }
dpkg --print-foreign-architectures | grep -qx arm64 ||
  die "dpkg has no arm64 architecture: run dpkg --add-architecture arm64 && apt-get update"

cache="${PYFREEZE_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pyfreeze/build}/test-runtimes"
mkdir -p "$cache"
work=$(mktemp -d "$cache/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
: > "$work/status"
# apt resolves the whole dependency closure for an arm64 machine that has nothing installed
apt_opts=(-o Dir::State::status="$work/status" -o APT::Architecture=arm64 -o Debug::NoLocking=1
          -o Dir::Cache::archives="$work/debs" -o APT::Install-Recommends=false)
mkdir -p "$work/debs/partial"
apt-get install -qq --print-uris "${apt_opts[@]}" "${PACKAGES[@]}" > "$work/uris" 2> "$work/err" ||
  die "apt cannot resolve the arm64 packages ($(tr '\n' ' ' < "$work/err")); run apt-get update"
[ -s "$work/uris" ] || die "apt resolved no arm64 packages; run apt-get update"
awk '{print $2, $3, $4}' "$work/uris" | sort > "$work/packages.txt"
key=$( { echo "layout $LAYOUT"; cat "$work/packages.txt"; } | sha256sum | cut -c1-16)
dest="$cache/debian-arm64-$key"

exec 9> "$cache/.lock"
flock 9
if [ -f "$dest/.complete" ]; then
  echo "$dest"
  exit 0
fi

apt-get install -qq --download-only "${apt_opts[@]}" "${PACKAGES[@]}" > /dev/null 2> "$work/err" ||
  die "downloading the arm64 packages failed: $(tr '\n' ' ' < "$work/err")"
mkdir -p "$work/out/root" "$work/out/site"
for deb in "$work"/debs/*.deb; do
  name=$(dpkg-deb -f "$deb" Package)
  into=root
  for s in "${SITE_PACKAGES[@]}"; do [ "$name" = "$s" ] && into=site; done
  dpkg -x "$deb" "$work/out/$into"
done

# what the maintainer scripts' update-alternatives --install LINK NAME PATH PRIORITY would make (dpkg -x runs none):
# LINK -> /etc/alternatives/NAME -> PATH, absolute links as on an installed system (libopenblas0-pthread's libblas.so.3,
# liblapack.so.3 and libopenblas.so.0)
for deb in "$work"/debs/*.deb; do
  { dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./postinst 2>/dev/null || true; } | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' |
    { grep -oE 'update-alternatives[[:space:]]+--install([[:space:]]+[^[:space:]]+){3}' || true; } | while read -r _ _ link name path; do
      into=root
      [ -e "$work/out/$into$path" ] || continue
      if [ -e "$work/out/$into$link" ] || [ -L "$work/out/$into$link" ]; then continue; fi
      mkdir -p "$work/out/$into/etc/alternatives" "$(dirname "$work/out/$into$link")"
      ln -sfn "$path" "$work/out/$into/etc/alternatives/$name"
      ln -sfn "/etc/alternatives/$name" "$work/out/$into$link"
    done
done
for so in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
  [ -L "$work/out/root/usr/lib/aarch64-linux-gnu/$so" ] || die "no alternative made for $so (libopenblas0-pthread's postinst changed?)"
done
# the bytecode py3compile makes in the packages' postinst (Debian ships sources only): compiled by this machine's CPython
# of the same release, as bytecode does not depend on the CPU, so the arm64 python3 starts as on an installed system
minor=$(ls "$work/out/root/usr/bin" | sed -n 's/^python3\.\([0-9]*\)$/\1/p' | sort -n | tail -n1)
py=/usr/bin/python3.$minor
[ -x "$py" ] || py=$(command -v "python3.$minor") || die "no python3.$minor here to compile the runtime's bytecode (apt-get install python3)"
"$py" -m compileall -q -j 0 -s "$work/out/root" -p / "$work/out/root/usr/lib/python3.$minor" "$work/out/root/usr/lib/python3/dist-packages" > /dev/null 2>&1 || true
"$py" -m compileall -q -j 0 -s "$work/out/site" -p / "$work/out/site/usr/lib/python3/dist-packages" > /dev/null 2>&1 || true

# the mount points of a root filesystem, for running the root's own python3 inside it (bubblewrap binds them)
mkdir -p "$work/out/root/proc" "$work/out/root/dev" "$work/out/root/tmp" "$work/out/root/sys"
cp "$work/packages.txt" "$work/out/packages.txt"
touch "$work/out/.complete"
rm -rf "$dest"
mv "$work/out" "$dest"
# runtimes of earlier package lists are not used again
for old in "$cache"/debian-arm64-*; do [ "$old" = "$dest" ] || rm -rf "$old"; done
echo "$dest"

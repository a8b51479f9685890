#!/usr/bin/env bash
# ./release.sh [--rid RID] [--kits DIR] [OUTDIR]
#
# Writes PyFreeze's release artifacts into OUTDIR (default artifacts/release/):
#   pyfreeze-VERSION-py3-none-PLATFORM.whl  the pip wheel for RID (default: this machine's): the self-contained pyfreeze
#                                           executable (no .NET needed), RID's bootloader kit, `python -m pyfreeze`
#   pyfreeze.VERSION.nupkg                  the .NET tool (dotnet tool install --global pyfreeze --add-source OUTDIR),
#                                           with every kit
#   pyfreeze-bootloader-kit-RID-VERSION.zip each kit alone (unzipped: a folder for pyfreeze build --bootloader-kit)
#   SHA256SUMS                              over every file in OUTDIR (sha256sum -c SHA256SUMS)
# The kits are every folder of artifacts/kits/ (this machine's is published here when missing or older than its
# sources) and of --kits DIR (one folder per RID, e.g. kits built on other runners), packaged whole.
# Reproducible: the archives' timestamps come from SOURCE_DATE_EPOCH (default: the commit's time), entries are
# sorted and modes normalised, so two runs on one machine give the same bytes.
set -euo pipefail
cd "$(dirname "$0")"

rid="" extra_kits="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) rid=${2:?--rid needs a RID}; shift 2 ;;
    --kits) extra_kits=${2:?--kits needs a folder}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "release.sh: unknown option $1 (see ./release.sh --help)" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
out=${out:-artifacts/release}

host_rid() {
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=osx ;; MINGW*|MSYS*|CYGWIN*) os=win ;; *) os=unknown ;; esac
  case "$(uname -m)" in x86_64|amd64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) arch=unknown ;; esac
  echo "$os-$arch"
}
rid=${rid:-$(host_rid)}
if [ -n "$extra_kits" ] && [ ! -d "$extra_kits" ]; then echo "release.sh: --kits $extra_kits: no such folder" >&2; exit 2; fi

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
version=$(dotnet msbuild src/PyFreeze.Cli/PyFreeze.Cli.csproj -getProperty:Version)
url=${PYFREEZE_REPOSITORY_URL:-$(dotnet msbuild src/PyFreeze.Cli/PyFreeze.Cli.csproj -getProperty:RepositoryUrl)}
commit=$(git rev-parse HEAD 2>/dev/null || echo "")
work=artifacts/release-work
mkdir -p "$out" "$work"
echo "release.sh: PyFreeze $version for $rid (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH) into $out"

# 1. The bootloader kits: this machine's is published by the CLI project's own target (PyFreezePublishHostKit, as the
#    solution build does it: only when missing or older than its sources); the rest come from artifacts/kits/ and
#    --kits. All are packaged whole, whatever files a kit holds.
dotnet msbuild src/PyFreeze.Cli/PyFreeze.Cli.csproj -t:PyFreezePublishHostKit -nologo -v:quiet
kits=$work/kits
rm -rf "$kits"; mkdir -p "$kits"
cp -a artifacts/kits/. "$kits/"
[ -z "$extra_kits" ] || cp -a "$extra_kits/." "$kits/"

# 2. The CLI: self-contained single file for the wheel (runs with no .NET installed), framework-dependent for the tool.
#    -p:PyFreezeRelease=true keeps this checkout's paths out of the binaries.
common=(-c Release --nologo -v quiet -p:PyFreezeRelease=true -p:PyFreezeSkipKit=true -p:DebugType=none -p:GenerateDocumentationFile=false)
rm -rf "$work/cli-$rid" "$work/cli-tool"
dotnet publish src/PyFreeze.Cli "${common[@]}" -r "$rid" --self-contained -p:PublishSingleFile=true -p:PublishReadyToRun=true \
  "-p:PyFreezeObjRoot=$PWD/$work/obj-$rid/" -o "$work/cli-$rid"
dotnet publish src/PyFreeze.Cli "${common[@]}" -p:UseAppHost=false "-p:PyFreezeObjRoot=$PWD/$work/obj-tool/" -o "$work/cli-tool"

# 3. The artifacts.
exe=$work/cli-$rid/pyfreeze; [ -f "$exe" ] || exe=$exe.exe
dotnet build src/PyFreeze.Release -c Release --nologo -v quiet "-p:PyFreezeObjRoot=$PWD/$work/obj-release/" -o "$work/release-tool" >/dev/null
assemble() { dotnet "$work/release-tool/pyfreeze-release.dll" "$@"; }
license=$(dotnet msbuild src/PyFreeze.Cli/PyFreeze.Cli.csproj -getProperty:PackageLicenseExpression)
meta=(--package-version "$version" --license "$license" --repository-url "$url" --source-date-epoch "$SOURCE_DATE_EPOCH" --commit "$commit" --kits "$kits" --repo . --out "$out")
licenses=()
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
for f in LICENSE.txt ThirdPartyNotices.txt; do [ -f "$dotnet_root/$f" ] && licenses+=(--license-file "dotnet-$f=$dotnet_root/$f"); done
assemble wheel "${meta[@]}" --rid "$rid" --exe "$exe" "${licenses[@]}"
assemble tool "${meta[@]}" --publish-dir "$work/cli-tool"
assemble kits --package-version "$version" --repository-url "$url" --source-date-epoch "$SOURCE_DATE_EPOCH" --kits "$kits" --out "$out"
assemble sums --out "$out" >/dev/null
for f in "$out"/*.whl "$out"/*.nupkg "$out"/*.zip "$out/SHA256SUMS"; do [ -f "$f" ] && echo "release.sh: $(wc -c < "$f" | tr -d ' ') bytes  $f"; done

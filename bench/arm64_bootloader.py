#!/usr/bin/env python3
"""linux-arm64 bootloader benchmark: examples/hello cross-built once with the NativeAOT bootloader (cross-compiled
here with clang-14, lld-14 and llvm-14's llvm-objcopy) and once with the .NET single-file host, each kit published
with `dotnet publish bootloader` and given with --bootloader-kit; sizes, and warm start (payload already unpacked)
under qemu.

    python3 bench/arm64_bootloader.py [--python /usr/bin/python3] [--runs 10]

Needs what the linux-arm64 tests need (.ci/run sets it up: qemu-user-static registered with binfmt_misc, libc6:arm64,
libstdc++6:arm64, the Debian arm64 runtime, clang-14 lld-14 llvm-14 libc6-dev-arm64-cross libgcc-12-dev-arm64-cross)
and hyperfine. Writes bench/results/arm64_bootloader.md and .json; nothing here asserts a time.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from hyperfine import hyperfine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HELLO = os.path.join(ROOT, "examples", "hello", "hello.py")
# the properties src/PyFreeze.Core/Emit/CrossAotToolchain.cs passes for Debian 12's packages
CROSS = ["-p:CppCompilerAndLinker=clang-14", "-p:LinkerFlavor=lld", "-p:ObjCopyName=llvm-objcopy-14"]


def run(cmd, env=None):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("command failed: %s\n%s\n%s" % (" ".join(cmd), p.stdout, p.stderr))
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    for t in ("hyperfine", "dotnet", "clang-14", "llvm-objcopy-14"):
        if not shutil.which(t):
            sys.exit("bench/arm64_bootloader.py needs %s" % t)
    if not os.path.exists("/proc/sys/fs/binfmt_misc/qemu-aarch64"):
        sys.exit("qemu-aarch64 is not registered with binfmt_misc (see .ci/run)")
    p = run(["bash", os.path.join(ROOT, "tests", "PyFreeze.Tests", "Fixtures", "arm64", "debian-arm64-runtime.sh")])
    rt_root = os.path.join(p.stdout.strip().splitlines()[-1], "root")

    run(["dotnet", "build", os.path.join(ROOT, "src", "PyFreeze.Cli"), "-c", "Release", "--nologo", "-v", "quiet"])
    tool = ["dotnet", os.path.join(ROOT, "src", "PyFreeze.Cli", "bin", "Release", "net10.0", "pyfreeze.dll")]
    work = tempfile.mkdtemp(prefix="pyfreeze-bench-arm64-boot-")
    rows = []
    try:
        for kind, extra in (("aot", ["-p:PyFreezeAot=true"] + CROSS), ("singlefile", [])):
            kit = os.path.join(work, kind, "kit")
            obj = os.path.join(work, kind, "obj")
            run(["dotnet", "publish", os.path.join(ROOT, "bootloader", "PyFreeze.Bootloader.csproj"), "-c", "Release",
                 "-r", "linux-arm64", "--nologo", "-v", "quiet", "-p:PyFreezeKitDir=%s/" % kit,
                 "-p:PyFreezeObjRoot=%s/" % obj, "-o", os.path.join(obj, "out")] + extra)
            d = os.path.join(work, kind)
            env = dict(os.environ, PYFREEZE_BUILD_CACHE=os.path.join(d, "buildcache"), PYFREEZE_CACHE_DIR=os.path.join(d, "cache"))
            out = run(tool + ["build", HELLO, "--python", args.python, "--target", "linux-arm64", "--runtime", rt_root,
                              "--bootloader-kit", kit, "--distpath", os.path.join(d, "dist"),
                              "--workpath", os.path.join(d, "build"), "--json", "-", "--log-level", "WARN"], env=env)
            built = json.loads(out.stdout)
            if built["bootloader"] != kind:
                sys.exit("the %s kit made a %s app" % (kind, built["bootloader"]))
            exe = built["executable"]
            run([exe], env=env)  # unpack once
            (ms, sd), = hyperfine([exe], args.runs, env=env)
            host = os.path.join(kit, "bootloader" if kind == "aot" else "singlefilehost")
            row = {"bootloader": kind, "app_bytes": os.path.getsize(exe), "kit_bytes": sum(
                os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(kit) for f in fs),
                   "host_bytes": os.path.getsize(host), "warm_start_qemu_ms": round(ms), "sd_ms": round(sd)}
            rows.append(row)
            print(json.dumps(row), flush=True)
        load = os.getloadavg()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "arm64_bootloader.json"), "w") as f:
        json.dump({"python": args.python, "runs": args.runs, "load_average_at_end": load, "hello": rows}, f, indent=2)
    mb = lambda n: "%.1f MB" % (n / 1048576)
    lines = ["| linux-arm64 hello | app | bootloader kit | warm start under qemu |", "|---|---|---|---|"]
    for r in rows:
        lines.append("| %s | %s | %s | %d ms (± %d) |" % ("NativeAOT" if r["bootloader"] == "aot" else "single-file host",
                                                       mb(r["app_bytes"]), mb(r["kit_bytes"]), r["warm_start_qemu_ms"], r["sd_ms"]))
    lines += ["", "%d timed starts each; load average %.1f at the end" % (args.runs, load)]
    with open(os.path.join(HERE, "results", "arm64_bootloader.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""linux-arm64 benchmark: the cross build of the numpy app beside the native linux-x64 build, and warm start-up under
qemu beside Debian's arm64 python3 under qemu, all in the same run.

    python3 bench/arm64.py [--python /usr/bin/python3] [--builds 3] [--runs 5]

Needs what the linux-arm64 tests need (dpkg's arm64 architecture, qemu-user-static registered with binfmt_misc,
libc6:arm64 libstdc++6:arm64; .ci/run sets them up), hyperfine and bubblewrap. The arm64 runtime is Debian's real
CPython 3.11 and python3-numpy (tests/PyFreeze.Tests/Fixtures/arm64/debian-arm64-runtime.sh, cached). Each build
starts from an empty build cache holding only the bootloader kits (both RIDs' kits are published before timing, as a
shipped PyFreeze has them), so "cold" is the analysis, bytecode and binaries of the app, not a one-time SDK publish.
The medians of --builds builds are compared. Writes bench/results/arm64.md and arm64.json; nothing here asserts a time.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from hyperfine import hyperfine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
APPS = {"hello": os.path.join(ROOT, "examples", "hello", "hello.py"),
        "numpy_app": os.path.join(HERE, "bench_apps", "numpy_app", "numpy_app.py")}


def run(cmd, env=None, check=True):
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t
    if check and p.returncode != 0:
        sys.exit("command failed: %s\n%s\n%s" % (" ".join(cmd), p.stdout, p.stderr))
    return elapsed, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--builds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    for t in ("hyperfine", "dotnet", "bwrap"):
        if not shutil.which(t):
            sys.exit("bench/arm64.py needs %s" % t)
    if not os.path.exists("/proc/sys/fs/binfmt_misc/qemu-aarch64"):
        sys.exit("qemu-aarch64 is not registered with binfmt_misc (see .ci/run)")
    _, p = run(["bash", os.path.join(ROOT, "tests", "PyFreeze.Tests", "Fixtures", "arm64", "debian-arm64-runtime.sh")])
    folder = p.stdout.strip().splitlines()[-1]
    rt_root = os.path.join(folder, "root")
    site = os.path.join(folder, "site", "usr", "lib", "python3", "dist-packages")

    run(["dotnet", "build", os.path.join(ROOT, "src", "PyFreeze.Cli"), "-c", "Release", "--nologo", "-v", "quiet"])
    tool = ["dotnet", os.path.join(ROOT, "src", "PyFreeze.Cli", "bin", "Release", "net10.0", "pyfreeze.dll")]
    work = tempfile.mkdtemp(prefix="pyfreeze-bench-arm64-")
    cross_opts = ["--target", "linux-arm64", "--runtime", rt_root]
    try:
        # publish both bootloader kits once (the linux-arm64 one into a shared cache whose kits/ seeds every build)
        seed = os.path.join(work, "seed-cache")
        for rid_opts in ([], cross_opts):
            run(tool + ["build", APPS["hello"], "--python", args.python, "--distpath", os.path.join(work, "seed-dist"),
                        "--workpath", os.path.join(work, "seed-build"), "--log-level", "WARN"] + rid_opts,
                env=dict(os.environ, PYFREEZE_BUILD_CACHE=seed))

        def build(name, extra, i):
            d = os.path.join(work, "%s-%d" % (name, i))
            cache = os.path.join(d, "buildcache")
            os.makedirs(cache)
            if os.path.isdir(os.path.join(seed, "kits")):
                shutil.copytree(os.path.join(seed, "kits"), os.path.join(cache, "kits"), symlinks=True)
            env = dict(os.environ, PYFREEZE_BUILD_CACHE=cache, PYFREEZE_CACHE_DIR=os.path.join(d, "cache"))
            cmd = tool + ["build", APPS["numpy_app"], "--python", args.python, "--distpath", os.path.join(d, "dist"),
                          "--workpath", os.path.join(d, "build"), "--log-level", "WARN"] + extra
            cold, _ = run(cmd, env=env)
            warm, _ = run(cmd + ["--clean"], env=env)
            nochange, _ = run(cmd, env=env)
            return cold, warm, nochange, os.path.join(d, "dist", "numpy_app")

        native, cross = [], []
        for i in range(args.builds):  # interleaved, so a busy moment of the machine hits both
            native.append(build("native", [], i))
            cross.append(build("cross", cross_opts + ["--target-site-packages", site], i))
        med = lambda rows, k: statistics.median(r[k] for r in rows)
        build_row = {"app": "numpy_app"}
        for k, label in ((0, "cold"), (1, "warm_cache"), (2, "no_change")):
            build_row["native_%s_s" % label] = round(med(native, k), 2)
            build_row["cross_%s_s" % label] = round(med(cross, k), 2)
            build_row["%s_ratio" % label] = round(med(cross, k) / med(native, k), 2)
        print(json.dumps(build_row), flush=True)

        # warm start under qemu: the frozen arm64 app (its cache already unpacked) beside Debian's arm64 python3 running
        # the same script inside the arm64 root (bubblewrap makes it /; its absolute alternatives links resolve there)
        starts = []
        for name, entry in APPS.items():
            if name == "numpy_app":
                exe = cross[-1][3]
                env = dict(os.environ, PYFREEZE_CACHE_DIR=os.path.join(work, "cross-%d" % (args.builds - 1), "cache"))
            else:
                d = os.path.join(work, "hello-arm64")
                env = dict(os.environ, PYFREEZE_BUILD_CACHE=seed, PYFREEZE_CACHE_DIR=os.path.join(d, "cache"))
                run(tool + ["build", entry, "--python", args.python, "--distpath", os.path.join(d, "dist"),
                            "--workpath", os.path.join(d, "build"), "--log-level", "WARN"] + cross_opts, env=env)
                exe = os.path.join(d, "dist", "hello")
            run([exe], env=env)  # unpack once
            python = ["bwrap", "--ro-bind", rt_root, "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                      "--ro-bind", os.path.dirname(entry), "/tmp/app", "--ro-bind", site, "/tmp/site",
                      "--setenv", "PYTHONPATH", "/tmp/site", "--", "/usr/bin/python3.11", "-B", "/tmp/app/" + os.path.basename(entry)]
            (frozen_ms, frozen_sd), (python_ms, python_sd) = hyperfine([exe, " ".join(python)], args.runs, env=env)
            row = {"app": name, "frozen_qemu_ms": round(frozen_ms), "frozen_sd_ms": round(frozen_sd),
                   "python3_qemu_ms": round(python_ms), "python3_sd_ms": round(python_sd), "ratio": round(frozen_ms / python_ms, 2)}
            starts.append(row)
            print(json.dumps(row), flush=True)
        load = os.getloadavg()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "arm64.json"), "w") as f:
        json.dump({"python": args.python, "builds": args.builds, "runs": args.runs, "load_average_at_end": load,
                   "build": build_row, "start": starts}, f, indent=2)
    lines = ["| numpy app build | native linux-x64 | cross linux-arm64 | ratio |", "|---|---|---|---|"]
    for label in ("cold", "warm_cache", "no_change"):
        lines.append("| %s | %.2f s | %.2f s | %.2f× |" % (label.replace("_", " "), build_row["native_%s_s" % label],
                                                          build_row["cross_%s_s" % label], build_row["%s_ratio" % label]))
    lines += ["", "| warm start under qemu | frozen linux-arm64 app | arm64 python3 app.py | ratio |", "|---|---|---|---|"]
    for r in starts:
        lines.append("| %s | %d ms (± %d) | %d ms (± %d) | %.2f× |" % (r["app"], r["frozen_qemu_ms"], r["frozen_sd_ms"],
                                                                      r["python3_qemu_ms"], r["python3_sd_ms"], r["ratio"]))
    lines.append("")
    lines.append("medians of %d builds each; %d timed starts each; load average %.1f at the end" % (args.builds, args.runs, load))
    with open(os.path.join(HERE, "results", "arm64.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

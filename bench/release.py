#!/usr/bin/env python3
"""Release benchmark: the installed wheel against the checkout, in the same run.

    python3 bench/release.py [--wheel artifacts/release/pyfreeze-*.whl] [--runs 20] [--builds 3]

Installs the wheel (./release.sh's) into a fresh venv and measures: `pyfreeze --version` start-up (beside the
checkout's `dotnet pyfreeze.dll --version` and `python3 -c pass`), the wheel's size, and the time to freeze
examples/hello from the installed wheel and from the checkout's Debug build (each with a cold build cache, then a warm
one), as a ratio. Needs hyperfine; the checkout must be built (./run-tests.sh or dotnet build). Writes
bench/results/release.md and .json. Nothing here asserts a time.
"""
import argparse
import glob
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
HELLO = os.path.join(ROOT, "examples", "hello", "hello.py")
CHECKOUT = ["dotnet", os.path.join(ROOT, "src", "PyFreeze.Cli", "bin", "Debug", "net10.0", "pyfreeze.dll")]


def freeze(cmd, work, cache):
    """Seconds to freeze hello into WORK with build cache CACHE."""
    env = dict(os.environ, PYFREEZE_BUILD_CACHE=cache)
    t = time.perf_counter()
    p = subprocess.run(cmd + ["build", HELLO, "--python", "/usr/bin/python3", "--distpath", os.path.join(work, "dist"),
                              "--workpath", os.path.join(work, "build"), "--log-level", "WARN"],
                       env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("build failed: %s\n%s" % (" ".join(cmd), p.stderr))
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheel", default=None)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--builds", type=int, default=3)
    args = ap.parse_args()
    wheel = args.wheel or (sorted(glob.glob(os.path.join(ROOT, "artifacts", "release", "pyfreeze-*.whl"))) or [None])[-1]
    if not wheel:
        sys.exit("no wheel: run ./release.sh first, or pass --wheel")
    tmp = tempfile.mkdtemp(prefix="pyfreeze-bench-release-")
    try:
        venv = os.path.join(tmp, "venv")
        subprocess.run(["/usr/bin/python3", "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q", "--no-index", wheel], check=True)
        installed = [os.path.join(venv, "bin", "pyfreeze")]
        (wheel_ms, wheel_sd), (checkout_ms, checkout_sd), (py_ms, py_sd) = hyperfine(
            [" ".join(installed + ["--version"]), " ".join(CHECKOUT + ["--version"]), "/usr/bin/python3 -c pass"], args.runs)
        times = {"wheel": {"cold": [], "warm": []}, "checkout": {"cold": [], "warm": []}}
        for i in range(args.builds):  # alternate, so load on the machine falls on both alike
            for name, cmd in (("wheel", installed), ("checkout", CHECKOUT)):
                work = os.path.join(tmp, "%s-%d" % (name, i))
                os.makedirs(work)
                cache = os.path.join(work, "cache")
                times[name]["cold"].append(freeze(cmd, work, cache))
                times[name]["warm"].append(freeze(cmd, work, cache))
        med = {n: {k: statistics.median(v) for k, v in d.items()} for n, d in times.items()}
        result = {
            "wheel": os.path.basename(wheel), "wheel_mb": os.path.getsize(wheel) / 1e6,
            "installed_mb": os.path.getsize(installed[0]) / 1e6,
            "version_ms": {"wheel": [wheel_ms, wheel_sd], "checkout": [checkout_ms, checkout_sd], "python3 -c pass": [py_ms, py_sd]},
            "freeze_s": med, "ratio": {k: med["wheel"][k] / med["checkout"][k] for k in ("cold", "warm")},
            "load": os.getloadavg(),
        }
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        with open(os.path.join(HERE, "results", "release.json"), "w") as f:
            json.dump(result, f, indent=2)
        md = [
            "| measure | installed wheel | checkout (Debug, `dotnet pyfreeze.dll`) | ratio |",
            "|---|---|---|---|",
            "| `pyfreeze --version` | %.0f ms ± %.0f | %.0f ms ± %.0f | %.2f× (`python3 -c pass`: %.0f ms) |"
            % (wheel_ms, wheel_sd, checkout_ms, checkout_sd, wheel_ms / checkout_ms, py_ms),
            "| freeze hello, cold build cache | %.2f s | %.2f s | %.2f× |" % (med["wheel"]["cold"], med["checkout"]["cold"], result["ratio"]["cold"]),
            "| freeze hello, warm build cache | %.2f s | %.2f s | %.2f× |" % (med["wheel"]["warm"], med["checkout"]["warm"], result["ratio"]["warm"]),
            "",
            "%s: %.1f MB (the executable installed: %.1f MB); load average during the run %.1f."
            % (result["wheel"], result["wheel_mb"], result["installed_mb"], result["load"][0]),
        ]
        with open(os.path.join(HERE, "results", "release.md"), "w") as f:
            f.write("\n".join(md) + "\n")
        print("\n".join(md))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

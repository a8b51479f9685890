#!/usr/bin/env python3
"""PyFreeze benchmark: build time, size, start-up and memory of frozen apps, each beside `python3 app.py` in the same run.

    python3 bench/bench.py [--python /usr/bin/python3] [--apps hello,stdlib_heavy,numpy_app,acceptance,ytdlp,flask_app] [--runs 20]
    python3 bench/bench.py --root "$(tests/roots/make-root trixie)" --apps hello,numpy_app   # CPython 3.13 (sid: 3.14)

With --root, the benchmark runs inside that Debian root (tests/roots/in-root) with the root's own python3, both for
building and as the `python3 app.py` it is compared with, and writes bench/results/bench-SUITE.md and .json.

Needs hyperfine (apt-get install hyperfine) and GNU time (/usr/bin/time). Builds pyfreeze in Release first. Writes
bench/results/bench.md (a Markdown table) and bench/results/bench.json. Every figure is measured in this run;
ratios compare against the same interpreter running the unfrozen app. Nothing here asserts a time.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from hyperfine import hyperfine
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
APPS = {
    "hello": ("hello/hello.py", []),
    "stdlib_heavy": ("stdlib_heavy/stdlib_heavy.py", []),
    "numpy_app": ("numpy_app/numpy_app.py", []),
    "acceptance": ("acceptance/acceptance_app.py", []),
    "ytdlp": ("ytdlp/ytdlp_app.py", []),
    "flask_app": ("flask_app/flask_app.py", []),
}


def run(cmd, env=None, cwd=None, check=True):
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t
    if check and p.returncode != 0:
        sys.exit("command failed: %s\n%s\n%s" % (" ".join(cmd), p.stdout, p.stderr))
    return elapsed, p




def peak_kb(cmd, env=None):
    _, p = run(["/usr/bin/time", "-f", "%M"] + cmd, env=env, check=False)
    return int(p.stderr.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--apps", default=",".join(APPS))
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--root", help="a Debian root made by tests/roots/make-root: benchmark inside it, with its python3")
    ap.add_argument("--no-build", action="store_true", help="use the Release build already there")
    ap.add_argument("--results", default="bench", help="base name of the result files in bench/results")
    args = ap.parse_args()
    if args.root:
        run(["dotnet", "build", os.path.join(ROOT, "src", "PyFreeze.Cli"), "-c", "Release", "--nologo", "-v", "quiet"])
        suite = os.path.basename(os.path.normpath(args.root)).split("-")[0]
        inner = [os.path.join(ROOT, "tests", "roots", "in-root"), args.root, "python3", os.path.abspath(__file__),
                 "--python", "/usr/bin/python3", "--apps", args.apps, "--runs", str(args.runs), "--no-build",
                 "--results", "bench-" + suite]
        sys.exit(subprocess.call(inner, cwd=ROOT))
    for tool in ("hyperfine", "/usr/bin/time", "dotnet"):
        if not shutil.which(tool):
            sys.exit("bench needs %s (apt-get install hyperfine time)" % tool)

    if not args.no_build:
        run(["dotnet", "build", os.path.join(ROOT, "src", "PyFreeze.Cli"), "-c", "Release", "--nologo", "-v", "quiet"])
    tool = ["dotnet", os.path.join(ROOT, "src", "PyFreeze.Cli", "bin", "Release", "net10.0", "pyfreeze.dll")]
    work = tempfile.mkdtemp(prefix="pyfreeze-bench-")
    results = []
    try:
        for name in args.apps.split(","):
            script, app_args = APPS[name]
            entry = os.path.join(HERE, "bench_apps", script)
            stem = os.path.splitext(os.path.basename(entry))[0]
            d = os.path.join(work, name)
            os.makedirs(d)
            env = dict(os.environ, PYFREEZE_BUILD_CACHE=os.path.join(d, "buildcache"), PYFREEZE_CACHE_DIR=os.path.join(d, "cache"))
            build = tool + ["build", entry, "--python", args.python, "--distpath", os.path.join(d, "dist"),
                            "--workpath", os.path.join(d, "build"), "--log-level", "WARN"]
            cold, _ = run(build, env=env)                       # empty build cache
            warm, _ = run(build + ["--clean"], env=env)         # work folder removed, build cache kept
            nochange, _ = run(build, env=env)                   # nothing changed
            exe = os.path.join(d, "dist", stem)
            size = os.path.getsize(exe)
            # the cost of correctness: the same app collecting only what the imports reach
            run(tool + ["build", entry, "--python", args.python, "--distpath", os.path.join(d, "dist-graph"), "--workpath",
                        os.path.join(d, "build-graph"), "--log-level", "ERROR", "--no-whole-packages"], env=env)
            graph_exe = os.path.join(d, "dist-graph", stem)
            graph_size = os.path.getsize(graph_exe)
            _, graph_run = run([graph_exe] + app_args, env=env, check=False)
            cache = os.path.join(d, "cache")
            frozen = [exe] + app_args
            plain = [args.python, entry] + app_args
            (first, first_sd), = hyperfine([" ".join(frozen)], max(5, args.runs // 2), prepare="rm -rf " + cache, env=env)
            commands = [" ".join(frozen), " ".join(plain)]
            if name == "hello":
                commands.append(" ".join([args.python, "-I", "-S", entry]))
            timings = hyperfine(commands, args.runs, env=env)
            row = {
                "app": name,
                "build_cold_s": round(cold, 2),
                "build_warm_cache_s": round(warm, 2),
                "rebuild_no_change_s": round(nochange, 2),
                "size_mb": round(size / 1048576, 1),
                "size_graph_only_mb": round(graph_size / 1048576, 1),
                "graph_only_runs": graph_run.returncode == 0,
                "first_run_ms": round(first, 1),
                "warm_run_ms": round(timings[0][0], 1),
                "python_ms": round(timings[1][0], 1),
                "warm_ratio": round(timings[0][0] / timings[1][0], 2),
                "frozen_peak_mb": round(peak_kb(frozen, env) / 1024, 1),
                "python_peak_mb": round(peak_kb(plain, env) / 1024, 1),
            }
            if name == "hello":
                row["python_isolated_ms"] = round(timings[2][0], 1)
                row["warm_minus_isolated_ms"] = round(timings[0][0] - timings[2][0], 1)
            results.append(row)
            print(json.dumps(row), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    version = subprocess.run([args.python, "-c", "import sys; print(sys.version.split()[0])"], stdout=subprocess.PIPE, text=True).stdout.strip()
    with open(os.path.join(HERE, "results", args.results + ".json"), "w") as f:
        json.dump({"python": args.python, "version": version, "results": results}, f, indent=2)
    cols = ["app", "build_cold_s", "build_warm_cache_s", "rebuild_no_change_s", "size_mb", "size_graph_only_mb", "graph_only_runs",
            "first_run_ms", "warm_run_ms",
            "python_ms", "warm_ratio", "frozen_peak_mb", "python_peak_mb"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in results:
        lines.append("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    hello = next((r for r in results if r["app"] == "hello"), None)
    if hello:
        lines.append("")
        lines.append("hello: warm start %.1f ms vs `python3 -I -S hello.py` %.1f ms (+%.1f ms)" % (
            hello["warm_run_ms"], hello["python_isolated_ms"], hello["warm_minus_isolated_ms"]))
    lines.insert(0, "Python %s (%s)\n" % (version, args.python))
    with open(os.path.join(HERE, "results", args.results + ".md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Start-up benchmark of the bootloader (issue 14): warm start, first run, size and where the time goes, each beside
`python3 app.py` (and `python3 -I -S app.py` for hello) in the same run.

    python3 bench/startup.py [--python /usr/bin/python3] [--apps hello,numpy_app] [--runs 40]
                             [--singlefile-kit DIR | --publish-singlefile-kit] [--no-whole-stdlib-too]

Builds each app once with the bootloader kit this tree's build made (NativeAOT on linux-x64), and, with a single-file
kit (given, or published here once with `dotnet publish bootloader -r linux-x64 -p:PyFreezeKitDir=...`), once more
with the .NET single-file host, so both bootloaders are measured on the same payload in the same run. Reports the
median and minimum of the wall-clock time (the machine may be shared: the load average before and after is printed)
and the mean user+system CPU time, which other load disturbs less. The stage times come from PYFREEZE_DEBUG=timing (warm
and first runs), the bootloader's peak resident set before exec from PYFREEZE_DEBUG=memory.
Writes bench/results/startup.md and startup.json. Nothing here asserts a time. Needs hyperfine and dotnet.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

from hyperfine import hyperfine_stats

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
APPS = {"hello": "hello/hello.py", "numpy_app": "numpy_app/numpy_app.py"}
UNPACK_STAGES = ("verify, decode and write", "manifest and marker", "rename and clean-up")  # a first run's "pyfreeze unpack:" line
STAGES = ("host start -> bootloader main", "-> cache checked", "-> exec", "-> interpreter ready", "-> entry start")


def run(cmd, env=None, check=True):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and p.returncode != 0:
        sys.exit("command failed: %s\n%s\n%s" % (" ".join(cmd), p.stdout, p.stderr))
    return p


def stage_times(exe, env, runs):
    """Median ms of each PYFREEZE_DEBUG=timing stage over `runs` warm starts."""
    env = dict(env, PYFREEZE_DEBUG="timing")
    seen = {s: [] for s in STAGES}
    for _ in range(runs):
        line = next((l for l in run([exe], env=env).stderr.splitlines() if l.startswith("pyfreeze timing:")), "")
        for stage in STAGES:
            m = re.search(re.escape(stage) + r" ([0-9.]+) ms", line)
            if m:
                seen[stage].append(float(m.group(1)))
    return {s: round(statistics.median(v), 1) for s, v in seen.items() if v}


def peak_rss(exe, env, cache, runs, first):
    """Median kB of the bootloader's peak resident set just before exec (PYFREEZE_DEBUG=memory reads VmHWM, which
    exec resets), over `runs` starts: first runs (the cache emptied before each) or warm ones."""
    env = dict(env, PYFREEZE_DEBUG="memory")
    seen = []
    for _ in range(runs):
        if first:
            shutil.rmtree(cache, ignore_errors=True)
        m = re.search(r"^pyfreeze memory: bootloader peak RSS (\d+) kB", run([exe], env=env).stderr, re.M)
        if m:
            seen.append(int(m.group(1)))
    return round(statistics.median(seen) / 1000, 1) if seen else None


def build(tool, entry, python, d, env, kit=None, extra=()):
    cmd = tool + ["build", entry, "--python", python, "--distpath", os.path.join(d, "dist"), "--workpath",
                  os.path.join(d, "build"), "--log-level", "WARN"] + list(extra)
    if kit:
        cmd += ["--bootloader-kit", kit]
    run(cmd, env=env)
    exe = os.path.join(d, "dist", os.path.splitext(os.path.basename(entry))[0])
    info = json.loads(run(tool + ["inspect", exe, "--json", "-"], env=env).stdout)
    return exe, info


def measure(exe, info, plain, env, cache, runs):
    first, = hyperfine_stats([exe], max(5, runs // 4), prepare="rm -rf " + cache, env=env)
    warm = hyperfine_stats([exe] + [" ".join(c) for c in plain], runs, env=env)
    return {
        "bootloader": info.get("bootloader"),
        "size_mb": round(info["size"] / 1e6, 2),
        "payload_mb": round(info["payload"]["length"] / 1e6, 2),
        "bootloader_mb": round((info["size"] - info["payload"]["length"]) / 1e6, 2),
        "first_run_median_ms": round(first["median"], 1),
        "warm_median_ms": round(warm[0]["median"], 1),
        "warm_min_ms": round(warm[0]["min"], 1),
        "warm_cpu_ms": round(warm[0]["user"] + warm[0]["system"], 1),
        "python": [{"median_ms": round(w["median"], 1), "min_ms": round(w["min"], 1), "cpu_ms": round(w["user"] + w["system"], 1)}
                   for w in warm[1:]],
        "stages_ms": stage_times(exe, env, 15),
        "first_stages_ms": first_stage_times(exe, env, cache, 5),
        "peak_rss_first_mb": peak_rss(exe, env, cache, 5, True),
        "peak_rss_warm_mb": peak_rss(exe, env, cache, 5, False),
    }


def first_stage_times(exe, env, cache, runs):
    """The PYFREEZE_DEBUG=timing stages of first runs (the cache emptied before each)."""
    env = dict(env, PYFREEZE_DEBUG="timing")
    seen = {s: [] for s in STAGES + UNPACK_STAGES}
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        err = run([exe], env=env).stderr.splitlines()
        line = " ".join(l for l in err if l.startswith(("pyfreeze timing:", "pyfreeze unpack:")))
        for stage in STAGES + UNPACK_STAGES:
            m = re.search(re.escape(stage) + r" ([0-9.]+) ms", line)
            if m:
                seen[stage].append(float(m.group(1)))
    return {s: round(statistics.median(v), 1) for s, v in seen.items() if v}


def label(r):
    """The bootloader column: the bootloader, and the variant when it is not the default build."""
    return r["bootloader"] if r["variant"] in ("default", "singlefile") else "%s, %s" % (r["bootloader"], r["variant"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--apps", default=",".join(APPS))
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--singlefile-kit", help="a single-file bootloader kit to compare with (kind=singlefile)")
    ap.add_argument("--publish-singlefile-kit", action="store_true", help="publish one for linux-x64 first (~2 min)")
    ap.add_argument("--no-whole-stdlib-too", action="store_true",
                    help="also build each app with --no-whole-stdlib (variant graph-stdlib): what the whole stdlib costs at start-up")
    ap.add_argument("--tool", default=os.path.join(ROOT, "src", "PyFreeze.Cli", "bin", "Debug", "net10.0", "pyfreeze.dll"),
                    help="the pyfreeze.dll to build with (default: ./run-tests.sh's Debug build)")
    args = ap.parse_args()
    for t in ("hyperfine", "dotnet"):
        if not shutil.which(t):
            sys.exit("startup.py needs %s (apt-get install hyperfine)" % t)
    tool = ["dotnet", args.tool]
    work = tempfile.mkdtemp(prefix="pyfreeze-startup-")
    load = [os.getloadavg()]
    results = []
    try:
        kit = args.singlefile_kit
        if args.publish_singlefile_kit and not kit:
            kit = os.path.join(work, "singlefile-kit")
            run(["dotnet", "publish", os.path.join(ROOT, "bootloader", "PyFreeze.Bootloader.csproj"), "-c", "Release", "-r",
                 "linux-x64", "--nologo", "-v", "quiet", "-p:PyFreezeKitDir=%s/" % kit,
                 "-p:PyFreezeObjRoot=%s/" % os.path.join(work, "kit-obj"), "-o", os.path.join(work, "kit-obj", "out")])
        for name in args.apps.split(","):
            entry = os.path.join(HERE, "bench_apps", APPS[name])
            plain = [[args.python, entry]] + ([[args.python, "-I", "-S", entry]] if name == "hello" else [])
            variants = [("default", None, [])] + ([("singlefile", kit, [])] if kit else [])
            if args.no_whole_stdlib_too:
                variants.append(("graph-stdlib", None, ["--no-whole-stdlib"]))
            for variant, variant_kit, extra in variants:
                d = os.path.join(work, name, variant)
                os.makedirs(d)
                cache = os.path.join(d, "cache")
                env = dict(os.environ, PYFREEZE_BUILD_CACHE=os.path.join(work, "buildcache"), PYFREEZE_CACHE_DIR=cache)
                exe, info = build(tool, entry, args.python, d, env, variant_kit, extra)
                row = dict(app=name, variant=variant, **measure(exe, info, plain, env, cache, args.runs))
                results.append(row)
                print(json.dumps(row), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load.append(os.getloadavg())

    version = run([args.python, "-c", "import sys; print(sys.version.split()[0])"]).stdout.strip()
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "startup.json"), "w") as f:
        json.dump({"python": args.python, "version": version, "runs": args.runs, "loadavg": load, "cores": os.cpu_count(),
                   "results": results}, f, indent=2)
    lines = ["Python %s (%s), %d runs each; load average %s before, %s after, %d cores\n" % (
        version, args.python, args.runs, "/".join("%.1f" % x for x in load[0]), "/".join("%.1f" % x for x in load[1]), os.cpu_count()),
        "| app | bootloader | size MB | bootloader MB | peak RSS before exec MB (first run / warm) | first run ms | warm median ms | warm min ms | warm CPU ms | python3 app.py median/min/CPU ms | python3 -I -S median/min/CPU ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        py = ["%.1f / %.1f / %.1f" % (p["median_ms"], p["min_ms"], p["cpu_ms"]) for p in r["python"]] + [""]
        lines.append("| %s | %s | %.2f | %.2f | %s / %s | %.1f | %.1f | %.1f | %.1f | %s | %s |" % (
            r["app"], label(r), r["size_mb"], r["bootloader_mb"], r["peak_rss_first_mb"], r["peak_rss_warm_mb"],
            r["first_run_median_ms"], r["warm_median_ms"], r["warm_min_ms"], r["warm_cpu_ms"], py[0], py[1] if len(py) > 2 else ""))
    lines.append("")
    for r in results:
        lines.append("%s (%s) stages, median ms: %s" % (r["app"], label(r), ", ".join("%s %.1f" % kv for kv in r["stages_ms"].items())))
        lines.append("%s (%s) first-run stages, median ms: %s" % (r["app"], label(r), ", ".join("%s %.1f" % kv for kv in r["first_stages_ms"].items())))
    with open(os.path.join(HERE, "results", "startup.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

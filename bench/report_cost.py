#!/usr/bin/env python3
"""What the build report costs: on warm builds (build cache filled, nothing to compile), the time PyFreeze spends
making the report document and writing report.html (its own stopwatch, printed at --log-level DEBUG as "build report
made and written in N ms"), against the build's wall time, and the size of report.html; beside `python3 app.py` in the
same run, as every figure of bench/.

    python3 bench/report_cost.py [--python /usr/bin/python3] [--apps ytdlp,numpy_app] [--runs 5] [--no-build]

Writes bench/results/report-cost.md and .json. The budget (issue 18): at most 5 % and 150 ms on the yt-dlp app.
Nothing here asserts a time.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
APPS = {
    "ytdlp": "ytdlp/ytdlp_app.py",
    "numpy_app": "numpy_app/numpy_app.py",
    "hello": "hello/hello.py",
}
LINE = re.compile(r"build report made and written in ([0-9.]+) ms")


def timed(cmd, cwd=None):
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return time.perf_counter() - t, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--apps", default="ytdlp,numpy_app")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-build", action="store_true", help="use the Release build already there")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["dotnet", "build", os.path.join(ROOT, "src", "PyFreeze.Cli"), "-c", "Release", "--nologo", "-v", "quiet"], check=True)
    tool = ["dotnet", os.path.join(ROOT, "src", "PyFreeze.Cli", "bin", "Release", "net10.0", "pyfreeze.dll")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="pyfreeze-report-cost-") as work:
        for app in args.apps.split(","):
            entry = os.path.join(HERE, "bench_apps", APPS[app])
            build = tool + ["build", entry, "--python", args.python, "--distpath", os.path.join(work, "dist"),
                            "--workpath", os.path.join(work, "build"), "--log-level", "DEBUG"]
            _, first = timed(build, cwd=work)  # fills the build cache: the runs below are warm
            if first.returncode != 0:
                sys.exit(first.stdout)
            walls, reports = [], []
            for _ in range(args.runs):
                wall, p = timed(build, cwd=work)
                m = LINE.search(p.stdout)
                if p.returncode != 0 or not m:
                    sys.exit("no report line:\n" + p.stdout)
                walls.append(wall * 1000)
                reports.append(float(m.group(1)))
            python = statistics.median(timed([args.python, entry])[0] * 1000 for _ in range(args.runs))
            name = os.path.splitext(os.path.basename(entry))[0]
            html = os.path.getsize(os.path.join(work, "build", name, "report.html"))
            wall, report = statistics.median(walls), statistics.median(reports)
            rows.append({
                "app": app, "runs": args.runs, "warm_build_ms": round(wall, 1), "report_ms": round(report, 1),
                "report_share": round(report / (wall - report), 4), "report_html_bytes": html,
                "python3_app_ms": round(python, 1), "warm_build_vs_python3_app": round(wall / python, 2),
            })
            print(json.dumps(rows[-1]))
    out = os.path.join(HERE, "results")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "report-cost.json"), "w") as f:
        json.dump(rows, f, indent=2)
    with open(os.path.join(out, "report-cost.md"), "w") as f:
        f.write("| app | warm build (median) | report made + written | share of the rest of the build | report.html | python3 app.py | build / python3 app.py |\n")
        f.write("|---|---|---|---|---|---|---|\n")
        for r in rows:
            f.write(f"| {r['app']} | {r['warm_build_ms']:.0f} ms | {r['report_ms']:.1f} ms | {100 * r['report_share']:.1f} % | "
                    f"{r['report_html_bytes'] / 1024:.0f} KB | {r['python3_app_ms']:.0f} ms | {r['warm_build_vs_python3_app']:.1f}x |\n")


if __name__ == "__main__":
    main()

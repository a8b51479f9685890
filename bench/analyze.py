#!/usr/bin/env python3
"""PyFreeze analysis benchmark: `pyfreeze analyze` against `python3 -m modulefinder` on the same entry, in one run.

    python3 bench/analyze.py [--python /usr/bin/python3] [--runs 10]

For a small app (a dozen stdlib imports) and a large one (numpy + requests + pygments + yaml), hyperfine times both commands end to end
(process start, interpreter probe and report included) and the ratio modulefinder / pyfreeze is reported, with the
module counts each found and the analyzer's own time (from `--json`, without .NET start-up and the probe). PyFreeze's
graph is larger than modulefinder's: it also collects every submodule of the packages the app imports (plugins,
lazy loaders) and the targets of entry points. Writes bench/results/analyze.md and bench/results/analyze.json.
Needs hyperfine (apt-get install hyperfine). Nothing here asserts a time.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

from hyperfine import hyperfine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
APPS = {
    "stdlib_small": "stdlib_heavy/stdlib_heavy.py",
    "numpy_requests_pygments": "acceptance/acceptance_app.py",
}




def modulefinder_count(python, entry):
    """How many modules modulefinder finds (loaded, and reported missing)."""
    code = ("import modulefinder, sys; f = modulefinder.ModuleFinder(); f.run_script(sys.argv[1]); "
            "m, _ = f.any_missing_maybe(); print(len(f.modules), len(m))")
    p = subprocess.run([python, "-c", code, entry], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True)
    found, missing = p.stdout.split()
    return int(found), int(missing)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    if not shutil.which("hyperfine"):
        sys.exit("bench/analyze.py needs hyperfine (apt-get install hyperfine)")
    p = subprocess.run(["dotnet", "build", os.path.join(ROOT, "src", "PyFreeze.Cli"), "-c", "Release", "--nologo", "-v", "quiet"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.exit("dotnet build failed:\n" + p.stdout)
    tool = os.path.join(ROOT, "src", "PyFreeze.Cli", "bin", "Release", "net10.0", "pyfreeze")
    results = []
    for name, script in APPS.items():
        entry = os.path.join(HERE, "bench_apps", script)
        pyfreeze = [tool, "analyze", entry, "--python", args.python]
        modulefinder = [args.python, "-m", "modulefinder", entry]
        (pf_ms, pf_sd), (mf_ms, mf_sd) = hyperfine([" ".join(pyfreeze), " ".join(modulefinder)], args.runs)
        j = json.loads(subprocess.run(pyfreeze + ["--json", "-"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      text=True, check=True).stdout)
        mods = j["modules"]
        mf_found, mf_missing = modulefinder_count(args.python, entry)
        row = {
            "app": name,
            "pyfreeze_ms": round(pf_ms, 1),
            "pyfreeze_sd_ms": round(pf_sd, 1),
            "analyzer_only_ms": j.get("elapsed_ms"),
            "modulefinder_ms": round(mf_ms, 1),
            "modulefinder_sd_ms": round(mf_sd, 1),
            "speedup": round(mf_ms / pf_ms, 1),
            "pyfreeze_modules": sum(1 for m in mods if m["kind"] != "missing"),
            "pyfreeze_missing": sum(1 for m in mods if m["kind"] == "missing"),
            "modulefinder_modules": mf_found,
            "modulefinder_missing": mf_missing,
        }
        results.append(row)
        print(json.dumps(row), flush=True)

    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "analyze.json"), "w") as f:
        json.dump({"python": args.python, "cores": os.cpu_count(), "results": results}, f, indent=2)
    cols = ["app", "pyfreeze_ms", "analyzer_only_ms", "modulefinder_ms", "speedup", "pyfreeze_modules", "modulefinder_modules"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in results]
    with open(os.path.join(HERE, "results", "analyze.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

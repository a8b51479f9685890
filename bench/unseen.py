#!/usr/bin/env python3
"""Correctness on apps PyFreeze was never tuned on, part 2 (issue 20): small scripts under bench/bench_apps/unseen/
that use Debian's Python libraries (openpyxl, matplotlib, pandas, scipy, SQLAlchemy, ...), plus a few console
programs the corpus (bench/corpus.py) does not hold, each frozen with no flags and run with every Python hidden.

    python3 bench/unseen.py [--python /usr/bin/python3] [--only mpl_png,csvstat] [--keep DIR]

An app passes when the build succeeds and the frozen run (under ../shared/tools/run-without-python, in a fresh
copy of bench/bench_apps/unseen/) gives the same exit code and stdout as `python3 APP.py` in another fresh copy.
Writes bench/results/unseen.md and unseen.json (size in MB of the one-file binary).
Needs the apt packages listed in APT below, dotnet and bubblewrap.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time

from corpus import run  # the same timed subprocess run as the console-program corpus

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
APPS = os.path.join(HERE, "bench_apps", "unseen")
HIDE = os.path.join(ROOT, "..", "shared", "tools", "run-without-python")
APT = ("python3-openpyxl python3-xlsxwriter python3-reportlab python3-matplotlib python3-pandas python3-scipy "
       "python3-sqlalchemy python3-networkx python3-sympy python3-bs4 python3-html5lib python3-lxml python3-arrow "
       "python3-humanize python3-dateutil python3-prompt-toolkit python3-pydantic python3-marshmallow python3-attr "
       "python3-paramiko python3-lz4 python3-zstandard python3-msgpack python3-simplejson python3-toml "
       "python3-ruamel.yaml python3-unidecode python3-regex python3-colorama python3-docopt python3-sqlparse "
       "python3-jmespath python3-psutil python3-csvkit")
# app -> (what is frozen, the arguments); a name ending .py is a script in APPS, else a program in /usr/bin
APPS_RUN = {
    "csvstat": ("/usr/bin/csvstat", ["data.csv"]),
    "csvlook": ("/usr/bin/csvlook", ["data.csv"]),
    "csvjson": ("/usr/bin/csvjson", ["-i", "1", "data.csv"]),
    "sqlformat": ("/usr/bin/sqlformat", ["-r", "-k", "upper", "q.sql"]),
}
APPS_RUN.update({name[:-3]: (name, []) for name in sorted(os.listdir(APPS)) if name.endswith(".py")})


def copy(work, name):
    d = os.path.join(work, name)
    shutil.copytree(APPS, d)
    with open(os.path.join(d, "q.sql"), "w") as f:
        f.write("select a, b from t join u on t.id=u.id where x=1 order by a\n")
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", help="keep the builds and folders in DIR")
    args = ap.parse_args()
    cli = os.path.join(ROOT, "src", "PyFreeze.Cli", "bin", "Debug", "net10.0", "pyfreeze.dll")
    if not os.path.exists(cli):
        subprocess.run(["dotnet", "build", os.path.join(ROOT, "PyFreeze.sln"), "-c", "Debug", "-v", "minimal"], check=True)
    base = args.keep or tempfile.mkdtemp(prefix="pyfreeze-unseen-")
    os.makedirs(base, exist_ok=True)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "TERM": "dumb", "COLUMNS": "100", "MPLBACKEND": ""}
    env.pop("MPLBACKEND")
    rows = []
    for app, (target, argv) in APPS_RUN.items():
        if args.only and app not in args.only.split(","):
            continue
        src = target if target.startswith("/") else os.path.join(APPS, target)
        if not os.path.exists(src):
            rows.append({"app": app, "result": "absent"})
            continue
        work = os.path.join(base, app)
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        if not target.startswith("/"):
            # alone in its own folder: PyFreeze takes every .py next to the entry script as one of the app's modules
            os.makedirs(os.path.join(work, "src"))
            src = shutil.copy(src, os.path.join(work, "src"))
        build = run(["dotnet", cli, "build", src, "--python", args.python, "--distpath", os.path.join(work, "bin"),
                     "--workpath", os.path.join(work, "build"), "--log-level", "WARN"], work, dict(os.environ))
        row = {"app": app, "argv": argv, "build_s": round(build[3], 1)}
        exe = os.path.join(work, "bin", os.path.basename(src)[:-3] if src.endswith(".py") else os.path.basename(src))
        if build[0] != 0 or not os.path.exists(exe):
            row.update(result="build failed", detail=(build[2] or build[1]).strip().splitlines()[-3:])
            rows.append(row)
            print("%-20s build failed: %s" % (app, row["detail"]), flush=True)
            continue
        row["size_mb"] = round(os.path.getsize(exe) / 1e6, 2)
        pdir = copy(work, "python")
        home = tempfile.mkdtemp(dir=work, prefix="home-")
        py = run([args.python, src] + argv, pdir, dict(env, HOME=home))
        fdir = copy(work, "frozen")
        fz = run([HIDE, "--bind", os.path.join(work, "bin"), "--", exe] + argv, fdir, dict(env, HOME=home))
        same_out = py[1].replace(pdir, "<dir>") == fz[1].replace(fdir, "<dir>")
        same_rc = py[0] == fz[0]
        row.update(python_rc=py[0], frozen_rc=fz[0], same_stdout=same_out, python_s=round(py[3], 2), frozen_s=round(fz[3], 2))
        row["result"] = "pass" if same_out and same_rc and py[1].strip() else ("no output" if same_out and same_rc else "differs")
        if row["result"] != "pass":
            row.update(python_stdout=py[1][-800:], frozen_stdout=fz[1][-800:], frozen_stderr=fz[2][-1500:],
                       python_stderr=py[2][-800:])
        rows.append(row)
        print("%-20s %-10s build %5.1f s  %6.2f MB  rc %s/%s" % (app, row["result"], row["build_s"], row["size_mb"], py[0], fz[0]), flush=True)
        if row["result"] != "pass":
            print("    python stderr: " + py[2].strip()[-300:].replace("\n", "\n    "), flush=True)
            print("    frozen stderr: " + fz[2].strip()[-600:].replace("\n", "\n    "), flush=True)
    counted = [r for r in rows if r["result"] != "absent"]
    passed = sum(r["result"] == "pass" for r in counted)
    # a run with --only writes its own files, not over the whole run's
    stem = "unseen" if not args.only else "unseen-only"
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    if rows:
        with open(os.path.join(HERE, "results", stem + ".json"), "w") as f:
            json.dump({"python": args.python, "passed": passed, "counted": len(counted), "rows": rows}, f, indent=1)
        with open(os.path.join(HERE, "results", stem + ".md"), "w") as f:
            f.write("# Scripts on Debian's Python libraries and unseen console programs, frozen with no flags, run with Python hidden\n\n")
            f.write("`python3 bench/unseen.py`; python: %s; %d/%d pass (same exit code and stdout as python3)\n\n" % (args.python, passed, len(counted)))
            f.write("| app | result | build s | size MB | rc python/frozen |\n|---|---|---|---|---|\n")
            for r in rows:
                f.write("| %s | %s | %s | %s | %s |\n" % (r["app"], r["result"], r.get("build_s", ""), r.get("size_mb", ""),
                                                       "%s/%s" % (r["python_rc"], r["frozen_rc"]) if "python_rc" in r else ""))
    print("%d/%d pass" % (passed, len(counted)))
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What the whole stdlib costs in the payload (issue 20: "the stdlib collected whole ... measured cost <= 3 MB in the
payload"), and what each part its rules leave out would cost if it were collected.

    python3 bench/stdlib_cost.py [--python /usr/bin/python3] [--app hello] [--parts all|none|a,b,...]

Builds the app twice with the Release pyfreeze, sharing one build cache: by default (the whole stdlib) and with
--no-whole-stdlib (the module graph only). Prints the executable and payload bytes of both, their difference (the
whole stdlib's cost), and the share of the payload the build's --json gives the whole stdlib's files (whole_stdlib).
Then, for each top-level part the rules left out (the build's report.left_out: rule stdlib-*), one more build that
restores it (--collect-submodules PART for a package, --hidden-import PART for a module) and the payload bytes it adds:
the part's cost had it been collected. Writes bench/results/stdlib_cost.json and .md. Nothing here asserts a size.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
APPS = {
    "hello": "hello/hello.py",
    "stdlib_heavy": "stdlib_heavy/stdlib_heavy.py",
    "numpy_app": "numpy_app/numpy_app.py",
    "flask_app": "flask_app/flask_app.py",
    "ytdlp": "ytdlp/ytdlp_app.py",
}


def build(tool, entry, python, work, tag, env, extra=()):
    out = os.path.join(work, tag)
    js = os.path.join(out, "build.json")
    cmd = tool + ["build", entry, "--python", python, "--distpath", os.path.join(out, "dist"), "--workpath",
                  os.path.join(out, "build"), "--log-level", "ERROR", "--json", js] + list(extra)
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("build failed: %s\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))
    with open(js) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--app", default="hello", choices=sorted(APPS))
    ap.add_argument("--parts", default="all", help="left-out parts to price: all, none, or a comma-separated list")
    ap.add_argument("--no-build", action="store_true", help="use the Release build already there")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["dotnet", "build", os.path.join(ROOT, "src", "PyFreeze.Cli"), "-c", "Release", "--nologo", "-v", "quiet"], check=True)
    tool = ["dotnet", os.path.join(ROOT, "src", "PyFreeze.Cli", "bin", "Release", "net10.0", "pyfreeze.dll")]
    entry = os.path.join(HERE, "bench_apps", APPS[args.app])
    with tempfile.TemporaryDirectory(prefix="pyfreeze-stdlib-cost-") as work:
        env = dict(os.environ, PYFREEZE_BUILD_CACHE=os.path.join(work, "buildcache"))
        whole = build(tool, entry, args.python, work, "whole", env)
        graph = build(tool, entry, args.python, work, "graph", env, ["--no-whole-stdlib"])
        left = {}
        for rec in whole["report"].get("left_out", []):
            if rec["rule"].startswith("stdlib-"):
                left.setdefault(rec["module"].split(".")[0], rec["rule"])
        names = sorted(left) if args.parts == "all" else [] if args.parts == "none" else args.parts.split(",")
        stdlib = sysconfig_stdlib(args.python)
        parts = []
        for name in names:
            is_pkg = os.path.isdir(os.path.join(stdlib, name))
            flag = ["--collect-submodules", name] if is_pkg else ["--hidden-import", name]
            with_part = build(tool, entry, args.python, work, "part-" + name, env, flag)
            parts.append({"part": name, "rule": left.get(name, ""), "restored_with": " ".join(flag),
                          "payload_bytes_added": with_part["payload"]["length"] - whole["payload"]["length"]})
            print(json.dumps(parts[-1]), flush=True)
    result = {
        "app": args.app,
        "python": args.python,
        "size_whole": whole["size"],
        "size_graph_only": graph["size"],
        "payload_whole": whole["payload"]["length"],
        "payload_graph_only": graph["payload"]["length"],
        "stdlib_cost_payload_bytes": whole["payload"]["length"] - graph["payload"]["length"],
        "whole_stdlib": whole.get("whole_stdlib"),
        "left_out_parts": parts,
    }
    print(json.dumps({k: v for k, v in result.items() if k != "left_out_parts"}, indent=1))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "stdlib_cost.json"), "w") as f:
        json.dump(result, f, indent=2)
    lines = ["| %s | bytes |" % args.app, "|---|---|"]
    for k in ("size_whole", "size_graph_only", "payload_whole", "payload_graph_only", "stdlib_cost_payload_bytes"):
        lines.append("| %s | %d |" % (k, result[k]))
    lines += ["", "| left-out part | rule | payload bytes if collected |", "|---|---|---|"]
    lines += ["| %s | %s | %d |" % (p["part"], p["rule"], p["payload_bytes_added"]) for p in parts]
    with open(os.path.join(HERE, "results", "stdlib_cost.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def sysconfig_stdlib(python):
    return subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
                          stdout=subprocess.PIPE, text=True, check=True).stdout.strip()


if __name__ == "__main__":
    main()

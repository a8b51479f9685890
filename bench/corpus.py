#!/usr/bin/env python3
"""Correctness on programs PyFreeze was never tuned on (issue 20): Debian's own console programs from /usr/bin (their
shebang is /usr/bin/python3), each frozen with no flags and run with every Python hidden, against the same command
run by `python3` in the same run.

    python3 bench/corpus.py [--python /usr/bin/python3] [--only pygmentize,rst2html] [--keep DIR]

For each program installed here: `pyfreeze build /usr/bin/PROG --python PYTHON`, then one shell command in a fresh
folder holding the same small input files, once with the program as Debian installed it and once with the frozen
binary first on PATH under ../shared/tools/run-without-python. A program passes when the build succeeds and both runs
give the same exit code and the same stdout (the folder's path written as <dir>); stderr is shown, not compared.
Programs not installed here are listed as absent, not counted. Writes bench/results/corpus.md and corpus.json.
Needs dotnet and bubblewrap.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HIDE = os.path.join(ROOT, "..", "shared", "tools", "run-without-python")

RST = "Title\n=====\n\nSome *text* with ``code``.\n\n- one\n- two\n\n.. note:: A note.\n"
MD = "# Title\n\nSome *text* and `code`.\n\n```\nblock\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
PY = "def f(x):\n    return x + 1  # comment\n\nprint(f(1))\n"
INPUTS = {
    "in.rst": RST,
    "in.md": MD,
    "in.py": PY,
    "in.txt": "Gr\u00fc\u00dfe aus K\u00f6ln, \u00e7a va tr\u00e8s bien, na\u00efve fa\u00e7ade.\n" * 20,
    "in.yaml": "a: 1\nb: [x, y]\nc: {d: true}\n",
    "in.xml": "<root><a>1</a><b k='v'>x</b></root>\n",
    "in.toml": "[tool]\nname = 'x'\nvalues = [1, 2]\n",
    "in.json": '{"name": "x", "n": 3}\n',
    "schema.json": '{"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}\n',
    "bad.json": '{"name": "x", "n": "three"}\n',
    "t.mako": "% for i in range(3):\n${i} ${'x' * i}\n% endfor\n",
    "mk/mkdocs.yml": "site_name: Corpus\n",
    "mk/docs/index.md": MD,
    "style.py": "import os,sys\ndef f( a ):\n  l = 1\n  return a+1\nx = [1,2 ,3]\n",
    "in.svg": "<svg xmlns='http://www.w3.org/2000/svg' width='20' height='10'><rect width='10' height='10' fill='red'/></svg>\n",
    "sph/conf.py": "project = 'Corpus'\nextensions = ['sphinx.ext.autodoc']\n",
    "sph/index.rst": RST,
    "tests/test_corpus.py": "import pytest\n\n@pytest.mark.parametrize('n', [1, 2, 3])\ndef test_n(n):\n    assert n * 2 > n\n\n"
                             "def test_fails():\n    assert [1, 2] == [1, 3]\n",
    "src/app.py": "from gettext import gettext as _\nprint(_('Hello'))\nprint(_('World'))\n",
}

# program -> the shell command run in the folder (the program by its name, found on PATH)
PROGRAMS = {
    "pygmentize": "pygmentize -l python -f html -O full in.py; pygmentize -L lexers | head -n 20",
    "rst2html": "rst2html --no-generator --no-datestamp in.rst",
    "rst2man": "rst2man in.rst | grep -v '^.\\\\\" Man page generated'",
    "docutils": "docutils --no-generator --no-datestamp in.rst",
    "markdown_py": "markdown_py -x tables -x fenced_code -x codehilite in.md",
    "markdown-it": "markdown-it in.md",
    "chardetect": "chardetect in.txt",
    "normalizer": "normalizer -m in.txt",
    "jsonschema": "jsonschema -i in.json schema.json; echo rc=$?; jsonschema -i bad.json schema.json; echo rc=$?",
    "mako-render": "mako-render t.mako",
    "pybabel": "pybabel extract --omit-header -o msgs.pot src >/dev/null 2>&1; cat msgs.pot; pybabel --list-locales | grep -c .",
    "yq": "yq -c . in.yaml",
    "xq-python": "xq-python -c . in.xml",
    "tomlq": "tomlq -c . in.toml",
    "tqdm": "seq 1 5 | tqdm 2>/dev/null",
    "flask": "flask --version",
    "ghp-import": "ghp-import --help",
    "watchmedo": "watchmedo --help | head -n 5",
    "livereload": "livereload --help",
    "mkdocs": "cd mk && mkdocs build -q -d site && ls site | sort",
    "pytest": "pytest -q -p no:cacheprovider tests 2>&1 | sed -E 's/ in [0-9.]+s/ in Ns/'",
    "yt-dlp": "yt-dlp --version && yt-dlp --list-extractors | wc -l",
    "f2py": "f2py -v",
    "nltk": "nltk --help",
    "mid3v2": "mid3v2 --version",
    "mutagen-inspect": "mutagen-inspect --help",
    "cppcheck-htmlreport": "cppcheck-htmlreport --help | head -n 3",
    "mmtarfilter": "mmtarfilter --help | head -n 3",
    "black": "cp style.py b.py && black -q b.py && cat b.py && black --check style.py; echo rc=$?",
    "isort": "printf 'import sys\\nimport os\\n' > i.py && isort --diff i.py | grep -v -E '^(\\+\\+\\+|---) '",
    "flake8": "flake8 style.py",
    "pycodestyle": "pycodestyle style.py",
    "pyflakes3": "pyflakes3 style.py",
    "pylint": "pylint --persistent=n --score=n style.py",
    "autopep8": "autopep8 style.py",
    "yapf3": "yapf3 style.py",
    "bandit": "bandit -q -f csv style.py | cut -d, -f2-5",
    "qr": "qr --ascii hello 2>/dev/null || qr hello | wc -c",
    "tabulate": "printf 'a b\\n1 2\\n' | tabulate -1 -f grid",
    "http": "http --version && http --offline --print=H POST example.org a=1 | grep -v User-Agent",
    "python3-coverage": "python3-coverage run in.py && python3-coverage report | tail -n 1",
    "sphinx-build": "sphinx-build -q -b text sph out && cat out/index.txt",
    "asciinema": "asciinema --version",
    "fonttools": "fonttools ttx -q -t head -o - /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf | grep -E 'unitsPerEm|magicNumber'",
    "cairosvg": "cairosvg in.svg -f png -o out.png && od -A n -t x1 -N 8 out.png",
}


def run(cmd, cwd, env, timeout=600):
    t = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), time.monotonic() - t
    except subprocess.TimeoutExpired:
        return -1, "", "timed out after %d s" % timeout, time.monotonic() - t


def folder(base, name):
    d = os.path.join(base, name)
    for rel, text in INPUTS.items():
        path = os.path.join(d, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
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
    chosen = [p for p in PROGRAMS if not args.only or p in args.only.split(",")]
    base = args.keep or tempfile.mkdtemp(prefix="pyfreeze-corpus-")
    os.makedirs(base, exist_ok=True)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "TERM": "dumb", "COLUMNS": "100"}
    rows = []
    for prog in chosen:
        script = "/usr/bin/" + prog
        if not os.path.exists(script):
            rows.append({"program": prog, "result": "absent"})
            continue
        work = os.path.join(base, prog)
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        build = run(["dotnet", cli, "build", script, "--python", args.python, "--distpath", os.path.join(work, "bin"),
                     "--workpath", os.path.join(work, "build"), "--log-level", "WARN"], work, dict(os.environ))
        row = {"program": prog, "command": PROGRAMS[prog], "build_s": round(build[3], 1)}
        exe = os.path.join(work, "bin", prog)
        if build[0] != 0 or not os.path.exists(exe):
            row.update(result="build failed", detail=(build[2] or build[1]).strip().splitlines()[-1:])
            rows.append(row)
            print("%-20s build failed: %s" % (prog, row["detail"]), flush=True)
            continue
        row["size_mb"] = round(os.path.getsize(exe) / 1e6, 2)
        src = folder(work, "python")
        home = tempfile.mkdtemp(dir=work, prefix="home-")
        py = run(["sh", "-c", PROGRAMS[prog]], src, dict(env, HOME=home))
        frz_dir = folder(work, "frozen")
        frozen_env = dict(os.environ, PATH=os.path.join(work, "bin") + ":/usr/local/bin:/usr/bin:/bin", LANG="C.UTF-8",
                          TERM="dumb", COLUMNS="100")
        fz = run([HIDE, "--bind", os.path.join(work, "bin"), "--", "sh", "-c",
                  "export PATH=%s:$PATH COLUMNS=100 TERM=dumb; %s" % (os.path.join(work, "bin"), PROGRAMS[prog])],
                 frz_dir, frozen_env)
        same_out = py[1].replace(src, "<dir>") == fz[1].replace(frz_dir, "<dir>")
        same_rc = py[0] == fz[0]
        row.update(python_rc=py[0], frozen_rc=fz[0], same_stdout=same_out, python_s=round(py[3], 2), frozen_s=round(fz[3], 2))
        row["result"] = "pass" if same_out and same_rc and py[1].strip() else ("no output" if same_out and same_rc else "differs")
        if row["result"] != "pass":
            row["python_stdout"] = py[1][-800:]
            row["frozen_stdout"] = fz[1][-800:]
            row["frozen_stderr"] = fz[2][-1500:]
        rows.append(row)
        print("%-20s %-10s build %5.1f s  %6.2f MB  rc %s/%s" % (prog, row["result"], row["build_s"], row["size_mb"], py[0], fz[0]), flush=True)
        if row["result"] != "pass":
            print("    frozen stderr: " + fz[2].strip()[-600:].replace("\n", "\n    "), flush=True)
    counted = [r for r in rows if r["result"] != "absent"]
    passed = sum(r["result"] == "pass" for r in counted)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "corpus.json"), "w") as f:
        json.dump({"python": args.python, "passed": passed, "counted": len(counted), "rows": rows}, f, indent=1)
    with open(os.path.join(HERE, "results", "corpus.md"), "w") as f:
        f.write("# Debian's console programs, frozen with no flags, run with Python hidden\n\n")
        f.write("python: %s; %d/%d pass (same exit code and stdout as python3)\n\n" % (args.python, passed, len(counted)))
        f.write("| program | result | build s | size MB | rc python/frozen |\n|---|---|---|---|---|\n")
        for r in rows:
            f.write("| %s | %s | %s | %s | %s |\n" % (r["program"], r["result"], r.get("build_s", ""), r.get("size_mb", ""),
                                                   "%s/%s" % (r["python_rc"], r["frozen_rc"]) if "python_rc" in r else ""))
    print("%d/%d pass; bench/results/corpus.md" % (passed, len(counted)))
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

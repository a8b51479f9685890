"""Runs hyperfine for the benchmark scripts (bench.py, analyze.py) and reads its JSON export."""
import json
import os
import subprocess
import sys
import tempfile


def hyperfine(commands, runs, prepare=None, env=None):
    """Mean and stddev in ms of each command, run without a shell (-N); with `prepare` (a shell command run before
    each timing, e.g. clearing a cache) there is no warm-up."""
    fd, out = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    cmd = ["hyperfine", "-N", "--runs", str(runs), "--warmup", "0" if prepare else "3", "--export-json", out]
    if prepare:
        cmd += ["--prepare", prepare]
    cmd += commands
    p = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("hyperfine failed: %s" % p.stderr)
    with open(out) as f:
        data = json.load(f)
    os.unlink(out)
    return [(r["mean"] * 1000, r["stddev"] * 1000) for r in data["results"]]

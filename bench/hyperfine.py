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
    return [_mean_sd(r) for r in data["results"]]


def _mean_sd(result):
    """(mean, stddev) in ms from one result: hyperfine 1.x exports "mean"/"stddev" in seconds; 2.x (Debian unstable's)
    exports each run's "measurements" with "time_wall_clock": {"value", "unit": "second"}."""
    if "mean" in result:
        return result["mean"] * 1000, (result.get("stddev") or 0) * 1000
    times = [m["time_wall_clock"]["value"] * 1000 for m in result["measurements"]]
    mean = sum(times) / len(times)
    sd = (sum((t - mean) ** 2 for t in times) / (len(times) - 1)) ** 0.5 if len(times) > 1 else 0.0
    return mean, sd

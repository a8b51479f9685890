"""Runs hyperfine for the benchmark scripts (bench.py, analyze.py) and reads its JSON export."""
import json
import os
import subprocess
import sys
import tempfile


def hyperfine(commands, runs, prepare=None, env=None):
    """Mean and stddev in ms of each command, run without a shell (-N); with `prepare` (a shell command run before
    each timing, e.g. clearing a cache) there is no warm-up."""
    return [_mean_sd(r) for r in _run(commands, runs, prepare, env)]


def hyperfine_stats(commands, runs, prepare=None, env=None):
    """Like hyperfine(), but a dict per command: mean, median, min and stddev of the wall-clock time and the mean
    user and system CPU time, all in ms (the CPU time is less sensitive to other load on the machine)."""
    stats = []
    for r in _run(commands, runs, prepare, env):
        if "measurements" in r:
            times = sorted(m["time_wall_clock"]["value"] * 1000 for m in r["measurements"])
            user = sum(m["time_user"]["value"] for m in r["measurements"]) / len(times) * 1000
            system = sum(m["time_system"]["value"] for m in r["measurements"]) / len(times) * 1000
        else:
            times = sorted(t * 1000 for t in r["times"])
            user, system = r["user"] * 1000, r["system"] * 1000
        mean, sd = _mean_sd(r)
        stats.append({"mean": mean, "median": times[len(times) // 2], "min": times[0], "sd": sd, "user": user, "system": system})
    return stats


def _run(commands, runs, prepare, env):
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
    return data["results"]


def _mean_sd(result):
    """(mean, stddev) in ms from one result: hyperfine 1.x exports "mean"/"stddev" in seconds; 2.x (Debian unstable's)
    exports each run's "measurements" with "time_wall_clock": {"value", "unit": "second"}."""
    if "mean" in result:
        return result["mean"] * 1000, (result.get("stddev") or 0) * 1000
    times = [m["time_wall_clock"]["value"] * 1000 for m in result["measurements"]]
    mean = sum(times) / len(times)
    sd = (sum((t - mean) ** 2 for t in times) / (len(times) - 1)) ** 0.5 if len(times) > 1 else 0.0
    return mean, sd

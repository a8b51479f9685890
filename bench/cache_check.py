#!/usr/bin/env python3
"""What the warm start's damage check costs: the bootloader's one fstatat per manifest entry of an unpacked copy.

    python3 bench/cache_check.py FROZEN_EXE [--runs 100]

Runs the app once (to unpack it into a private cache), then measures two ways, in the same run:
  1. the check's system calls alone: every manifest entry stat'ed from the copy's descriptor, as the bootloader does,
     from Python (so an upper bound: Python's own per-call cost is included);
  2. the whole process's CPU time (user + system, from wait4), alternating runs with the real manifest and with an
     empty one (nothing to check), so the difference is what the check costs the app; with its standard error.
Nothing here asserts a time.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def cpu_of(cmd, env):
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execve(cmd[0], cmd, env)
    _, status, usage = os.wait4(pid, 0)
    return usage.ru_utime + usage.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("--runs", type=int, default=100)
    args = ap.parse_args()
    cache = tempfile.mkdtemp(prefix="pyfreeze-check-")
    env = dict(os.environ, PYFREEZE_CACHE_DIR=cache)
    try:
        subprocess.run([args.exe], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run = os.path.join(cache, "run")
        copy = os.path.join(run, next(n for n in os.listdir(run) if not n.startswith(".")))
        manifest = os.path.join(copy, ".pyfreeze-manifest")
        with open(manifest, "rb") as f:
            full = f.read()
        names = [line.split(" ", 2)[-1] for line in full.decode().splitlines()[1:] if line[:2] in ("d ", "f ")]
        fd = os.open(copy, os.O_RDONLY | os.O_DIRECTORY)
        best = []
        for _ in range(200):
            t = time.process_time()  # CPU time: a busy machine's waiting is not counted
            for n in names:
                os.stat(n, dir_fd=fd, follow_symlinks=False)
            best.append(time.process_time() - t)
        os.close(fd)
        print("%d manifest entries: the stat calls take %.0f us of CPU (median of 200, from Python: an upper bound)"
              % (len(names), statistics.median(best) * 1e6))

        empty = b"pyfreeze-manifest 1\nend 0\n"
        with_check, without = [], []
        for i in range(args.runs):
            for content, out in ((full, with_check), (empty, without)) if i % 2 == 0 else ((empty, without), (full, with_check)):
                with open(manifest, "wb") as f:
                    f.write(content)
                out.append(cpu_of([args.exe], env))
        with open(manifest, "wb") as f:
            f.write(full)
        diff = statistics.mean(with_check) - statistics.mean(without)
        err = (statistics.variance(with_check) / len(with_check) + statistics.variance(without) / len(without)) ** 0.5
        print("process CPU time with the check %.2f ms, without %.2f ms: the check costs %.2f ms +- %.2f ms (%d runs each)"
              % (statistics.mean(with_check) * 1e3, statistics.mean(without) * 1e3, diff * 1e3, err * 1e3, len(with_check)))
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

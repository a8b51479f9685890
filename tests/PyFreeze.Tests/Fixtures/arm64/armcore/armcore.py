"""The frozen-semantics core, run on arm64: the frozen app under qemu and Debian's arm64 python3 under qemu must print
the same key=value lines (keys starting with "mode." differ by nature and are checked by the test on their own)."""
import json
import multiprocessing
import os
import pkgutil
import platform
import signal
import struct
import subprocess
import sys
import time
from importlib import metadata, resources

import armpkg


def out(key, value):
    print(f"{key}={value}", flush=True)


def square(x):
    return x * x


def child(q):
    q.put(("from-child", platform.machine()))


def cmd_all(args):
    out("argv", json.dumps(args))
    out("machine", platform.machine())
    out("platform", sys.platform)
    out("pointer-bits", struct.calcsize("P") * 8)
    out("byteorder", sys.byteorder)
    out("version", platform.python_version())
    out("mode.frozen", getattr(sys, "frozen", False))
    out("mode.executable", sys.executable)
    out("executable-exists", os.path.isfile(sys.executable))
    # sys.executable starts the same program again: python3 runs -c, the frozen app refuses -c and runs its entry
    if getattr(sys, "frozen", False):
        again = subprocess.run([sys.executable, "exit", "5"], capture_output=True, text=True)
    else:
        again = subprocess.run([sys.executable, __file__, "exit", "5"], capture_output=True, text=True)
    out("again", f"{again.returncode} {again.stdout.strip()}")
    # package data: __file__-relative, importlib.resources, pkgutil
    with open(os.path.join(os.path.dirname(armpkg.__file__), "data", "greeting.txt"), encoding="utf-8") as f:
        out("data-file", f.read().strip())
    out("data-resources", resources.files("armpkg").joinpath("data/greeting.txt").read_text(encoding="utf-8").strip())
    out("data-pkgutil", pkgutil.get_data("armpkg", "data/greeting.txt").decode().strip())
    # metadata of the distribution that owns armpkg
    out("metadata-version", metadata.version("armcore-demo"))
    out("metadata-summary", metadata.metadata("armcore-demo")["Summary"])
    plugins = sorted(ep.name for ep in metadata.entry_points(group="armcore.plugins"))
    out("entry-points", plugins)
    out("entry-point-loads", metadata.entry_points(group="armcore.plugins")["alpha"].load()())
    # multiprocessing with the spawn start method: children are started through sys.executable
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        out("spawn-pool", sum(pool.map(square, range(10))))
    q = ctx.Queue()
    p = ctx.Process(target=child, args=(q,))
    p.start()
    out("spawn-queue", q.get(timeout=120))
    p.join()
    out("spawn-exitcode", p.exitcode)


def cmd_exit(args):
    print(f"exiting {args[0]}", flush=True)
    sys.exit(int(args[0]))


def cmd_raise(args):
    raise ValueError("boom on " + platform.machine())


def cmd_signal(args):
    def handler(signum, frame):
        os.write(1, b"got-sigterm %d\n" % signum)
        sys.exit(42)

    signal.signal(signal.SIGTERM, handler)
    try:
        print("ready", flush=True)
        time.sleep(300)
    except KeyboardInterrupt:
        os.write(1, b"keyboard-interrupt\n")
        sys.exit(43)


COMMANDS = {"all": cmd_all, "exit": cmd_exit, "raise": cmd_raise, "signal": cmd_signal}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](sys.argv[2:])

"""An app on packages built like real ones, each reaching code by a name known only at run time (issue 20's general
causes); prints KEY=VALUE lines compared with python3's (DeepAppTests)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor"))

from importlib.metadata import distribution, version  # noqa: E402

import dbkit  # noqa: E402


def out(key, fn):
    try:
        print(f"{key}={fn()}", flush=True)
    except Exception as e:  # one failure must not hide the others
        print(f"{key}=ERROR {type(e).__name__}: {e}", flush=True)


# Cause 1: the dialect module is picked from the URL and imports its stdlib driver in a classmethod.
out("dialect", lambda: dbkit.create_engine("sqlite://").scalar("select 6 * 7"))
# Cause 1: the dialect's optional helper, a sibling module imported inside a function.
out("dialect_helper", lambda: dbkit.create_engine("sqlite://").describe())
# Cause 2: numbered migration modules found by pkgutil, and a management command named "test".
out("migrations", lambda: ",".join(dbkit.migrations.discover()))
out("command", lambda: dbkit.run_command("test"))
# Cause 3: a program loaded through another distribution's metadata, as a pip console script does.
out("version", lambda: version("dbkit"))
out("entry_point", lambda: next(iter(distribution("clikit").entry_points.select(group="console_scripts", name="clikit"))).load()(["a", "b"]))

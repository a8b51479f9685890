"""``python -m pyfreeze ARGS``: runs the installed ``pyfreeze`` executable with ARGS (replacing this process where
the system can; on Windows, as a child whose exit code is returned)."""

import os
import sys

from pyfreeze import find_pyfreeze_bin


def main() -> None:
    try:
        exe = find_pyfreeze_bin()
    except FileNotFoundError as e:
        print("pyfreeze: error: %s" % e, file=sys.stderr)
        sys.exit(1)
    args = [exe, *sys.argv[1:]]
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.call(args))
    os.execv(exe, args)


if __name__ == "__main__":
    main()

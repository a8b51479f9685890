"""PyFreeze, installed from its wheel: the ``pyfreeze`` command is a native executable installed into the scripts
folder (``bin/`` or ``Scripts\\``); this package only finds it, for ``python -m pyfreeze``."""

import os
import sys
import sysconfig

__version__ = "{{VERSION}}"

_EXE = "pyfreeze.exe" if sys.platform == "win32" else "pyfreeze"


def find_pyfreeze_bin() -> str:
    """The path of the installed ``pyfreeze`` executable.

    Looks where this distribution's RECORD says its script went (right for every install scheme, ``--target`` and
    ``--prefix`` included), then in the scripts folders of the default and user schemes (CPython's ``sysconfig``).
    Raises FileNotFoundError when none exists.
    """
    candidates = []
    try:
        from importlib.metadata import distribution

        for f in distribution("pyfreeze").files or []:
            if f.name == _EXE and f.parent.name in ("bin", "Scripts"):
                candidates.append(str(f.locate()))
    except Exception:  # no metadata (a copied folder): fall back to the schemes
        pass
    candidates.append(os.path.join(sysconfig.get_path("scripts"), _EXE))
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    else:
        user_scheme = "nt_user" if os.name == "nt" else "posix_user"
    candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), _EXE))
    for path in candidates:
        if os.path.isfile(path):
            return os.path.abspath(path)
    raise FileNotFoundError(
        "the pyfreeze executable is not installed beside this package (looked in: %s); "
        "reinstall PyFreeze: pip install --force-reinstall pyfreeze==%s" % (", ".join(candidates), __version__)
    )

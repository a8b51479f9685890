# PyFreeze runtime hook for PyGObject (gi): __pyfreeze__["gi_typelib_path"] is the folder of the typelibs the build
# collected (Collect/TypelibCollector.cs), relative to the unpacked root. libgirepository reads GI_TYPELIB_PATH when it
# first looks for a namespace, so the folder is put first on it before the app runs (the user's own entries stay
# after it), as PyInstaller's gi runtime hook does; programs the app starts inherit it.
import os


def _pyfreeze_gi(facts):
    folder = facts.get("gi_typelib_path")
    if not folder:
        return
    folder = os.path.join(facts["root"], folder)
    old = os.environ.get("GI_TYPELIB_PATH")
    os.environ["GI_TYPELIB_PATH"] = folder + (os.pathsep + old if old else "")


_pyfreeze_gi(__pyfreeze__)  # noqa: F821 (given by the boot module)

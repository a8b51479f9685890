# PyFreeze runtime hook for Debian's docutils: docutils._datadir(path) maps a writer module's file to its data folder
# under the absolute /usr/share/docutils; the build carried that folder into the package as _pyfreeze_share
# (Hooks/builtin/docutils.json), and _datadir is replaced, right after docutils is imported and before any writer is,
# by one that gives the same subfolder of the carried copy. Debian's docutils/__init__.py also binds
# _datadir_latex = _datadir (the latex2e writer's docutils.sty, read when the writer module is imported) at its own
# import, so that name is replaced too, not left naming the original function. A docutils without _datadir (a wheel's)
# is left alone.
import os


def _pyfreeze_docutils(docutils):
    if not hasattr(docutils, "_datadir"):
        return
    package = os.path.join(os.path.dirname(docutils.__file__), "")
    share = os.path.join(package, "_pyfreeze_share")
    if not os.path.isdir(share):
        return

    def _datadir(path):
        dirname = os.path.dirname(path)
        suffix = dirname[len(package):] if dirname.startswith(package) else ""
        return os.path.join(share, suffix)

    docutils._datadir = _datadir
    if hasattr(docutils, "_datadir_latex"):
        docutils._datadir_latex = _datadir


__pyfreeze__["after_import"]("docutils", _pyfreeze_docutils)  # noqa: F821 (given by the boot module)

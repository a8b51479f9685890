# PyFreeze runtime hook for Debian's sphinx: sphinx/__init__.py sets package_dir to the absolute '/usr/share/sphinx'
# (sphinx-common), and its builders, theming and templates read `from sphinx import package_dir` when they are imported;
# the build carried that folder into the package as _pyfreeze_share (Hooks/builtin/sphinx.json), and package_dir is
# pointed at the copy right after sphinx is imported, before any of its submodules is. A sphinx whose package_dir is
# its own folder (a wheel's) is left alone.
import os


def _pyfreeze_sphinx(sphinx):
    package_dir = getattr(sphinx, "package_dir", None)
    if not isinstance(package_dir, str) or not package_dir.startswith("/usr/share/"):
        return
    share = os.path.join(os.path.dirname(sphinx.__file__), "_pyfreeze_share")
    if os.path.isdir(share):
        sphinx.package_dir = share


__pyfreeze__["after_import"]("sphinx", _pyfreeze_sphinx)  # noqa: F821 (given by the boot module)

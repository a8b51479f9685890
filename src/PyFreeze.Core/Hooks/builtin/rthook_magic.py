# PyFreeze runtime hook for python-magic: magic_load(cookie, None) loads the bundled magic.mgc (the database of the
# bundled libmagic) instead of the target's, unless the user set MAGIC. Applied when the app imports magic.
import os


def _pyfreeze_patch_magic(module, database):
    load = getattr(module, "magic_load", None)
    if load is None or not hasattr(module, "Magic") or not os.path.isfile(database):
        return

    def magic_load(cookie, filename=None):
        if filename is None and not os.environ.get("MAGIC"):
            filename = database
        return load(cookie, filename)

    module.magic_load = magic_load


__pyfreeze__["after_import"]("magic", lambda m: _pyfreeze_patch_magic(  # noqa: F821
    m, os.path.join(__pyfreeze__["meipass"], "magic", "_pyfreeze_data", "magic.mgc")))  # noqa: F821

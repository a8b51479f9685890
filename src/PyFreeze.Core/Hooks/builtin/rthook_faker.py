# PyFreeze runtime hook for Faker: faker.utils.loading.get_path(module) is the folder of the module's package as the
# frozen app keeps it (the folder of its __file__), whatever layout the Faker release expects of a frozen app, and
# list_module lists it with pkgutil.
# Applied when the app imports faker.
import os


def _pyfreeze_patch_faker_loading(loading):
    original = getattr(loading, "get_path", None)
    if original is None:
        return

    def get_path(module):
        file = getattr(module, "__file__", None)
        if file:
            return os.path.dirname(os.path.realpath(file))
        return original(module)

    loading.get_path = get_path

    # Releases from 4.x on list a package's sub-packages, when sys._MEIPASS is set, by globbing */__init__.py: PyInstaller
    # keeps sources there, a PyFreeze app keeps __init__.pyc, so no locale would be found (Debian 13's Faker 33). The
    # import system's own listing sees both.
    if getattr(loading, "list_module", None) is not None:
        import pkgutil

        def list_module(module):
            return [name for _, name, is_pkg in pkgutil.iter_modules([get_path(module)]) if is_pkg]

        loading.list_module = list_module


__pyfreeze__["after_import"]("faker.utils.loading", _pyfreeze_patch_faker_loading)  # noqa: F821

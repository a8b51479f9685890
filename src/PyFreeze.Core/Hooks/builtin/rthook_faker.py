# PyFreeze runtime hook for Faker: faker.utils.loading.get_path(module) is the folder of the module's package as the
# frozen app keeps it (the folder of its __file__), whatever layout the Faker release expects of a frozen app.
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


__pyfreeze__["after_import"]("faker.utils.loading", _pyfreeze_patch_faker_loading)  # noqa: F821

# PyFreeze runtime hook for ctypes: ctypes.util.find_library looks in the bundled library folders first (lazily: the
# patch is applied when the app imports ctypes.util, so apps that never call it pay nothing).
import os


def _pyfreeze_patch_find_library(module, folders):
    original = module.find_library

    def find_library(name):
        for folder in folders:
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            for candidate in names:
                if candidate.startswith("lib" + name + ".so") or candidate == name or candidate.startswith(name + ".so"):
                    return os.path.join(folder, candidate)
        return original(name)

    find_library.__doc__ = original.__doc__
    module.find_library = find_library


__pyfreeze__["after_import"]("ctypes.util", lambda m: _pyfreeze_patch_find_library(m, __pyfreeze__["library_dirs"]))  # noqa: F821

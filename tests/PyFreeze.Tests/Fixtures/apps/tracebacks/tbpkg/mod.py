# The module whose frames the traceback tests look at: line 7 is the failing line.
import warnings


def fail(x):
    warnings.warn("tbpkg careful")
    return 1 / x  # the real failing line of tbpkg

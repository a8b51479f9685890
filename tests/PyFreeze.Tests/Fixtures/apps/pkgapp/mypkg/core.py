from . import helpers
from .sub import deep


def describe():
    return f"core+{helpers.NAME}+{deep.LEVEL}"

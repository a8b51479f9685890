from ..helpers import NAME  # relative import, level 2
LEVEL = 2


def deep_value():
    return NAME + ":" + str(LEVEL)

from .core import describe  # relative import, level 1

"""PEP 750 template strings (Python 3.14): no older CPython can compile this file."""
from string.templatelib import Interpolation, Template


def render(name):
    t = t"hello {name!r:>7} {t"{len(name)}"}"
    out = []
    for part in t:
        if isinstance(part, Interpolation):
            value = part.value if not isinstance(part.value, Template) else "".join(map(str, part.value.values))
            out.append(format(repr(value) if part.conversion == "r" else value, part.format_spec))
        else:
            out.append(part)
    return type(t).__name__ + ":" + "".join(out)

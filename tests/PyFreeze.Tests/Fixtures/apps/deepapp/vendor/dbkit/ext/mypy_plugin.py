"""A mypy plugin (as sqlalchemy.ext.mypy): only mypy loads it, and it imports mypy at top level."""
from mypy.plugin import Plugin


class DbkitPlugin(Plugin):
    pass


def plugin(version):
    return DbkitPlugin

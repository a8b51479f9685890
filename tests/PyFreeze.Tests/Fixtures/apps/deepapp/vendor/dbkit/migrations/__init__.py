"""Migrations, found as Django finds them: every module in this package, by pkgutil."""
import importlib
import pkgutil


def discover():
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.ispkg)
    return [importlib.import_module(f"{__name__}.{n}").Migration.name for n in names]

"""A small database toolkit laid out like SQLAlchemy: dialects loaded by the name in a URL."""
import importlib

from . import migrations  # noqa: F401

__version__ = "2.1"


def create_engine(url):
    name = url.split(":", 1)[0]
    module = importlib.import_module(f"{__name__}.dialects.{name}")
    return module.Dialect.connect()


def run_command(name):
    return importlib.import_module(f"{__name__}.commands.{name}").Command().handle()

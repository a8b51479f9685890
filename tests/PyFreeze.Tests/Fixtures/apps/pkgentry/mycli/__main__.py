import sys
from . import VERSION
from .commands import run
print("mycli", VERSION, __name__, __package__, __spec__.name)
sys.exit(run(sys.argv[1:]))

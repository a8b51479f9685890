# The app puts its own folders on sys.path, as many scripts do, then imports from them.
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
sys.path.append(str(Path(__file__).resolve().parent / "plugins"))
import helper  # noqa: E402  (lib/helper.py)
import greet_plugin  # noqa: E402  (plugins/greet_plugin.py)

print(helper.run(), greet_plugin.greet("frozen"))

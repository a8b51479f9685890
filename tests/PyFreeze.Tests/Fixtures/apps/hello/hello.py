import os
import sys

print("argv:", sys.argv[1:])
print("frozen:", getattr(sys, "frozen", False))
print("meipass-exists:", os.path.isdir(getattr(sys, "_MEIPASS", "")))
print("executable-is-app:", os.path.basename(sys.executable))
print("main-file:", os.path.basename(__file__))
print("spec:", __spec__ is not None and __spec__.name)
sys.stdout.buffer.write(b"raw-arg1: " + os.fsencode(sys.argv[1]) + b"\n") if len(sys.argv) > 1 else None
sys.exit(3)

import os
import subprocess
import sys

if len(sys.argv) > 1 and sys.argv[1] == "child":
    print("child-frozen", getattr(sys, "frozen", False))
    print("child-ld", os.environ.get("LD_LIBRARY_PATH", "<unset>"))
    sys.exit(7)

out = subprocess.run([sys.executable, "child"], capture_output=True, text=True)
print(out.stdout.strip())
print("child-exit", out.returncode)
print("parent-ld", os.environ.get("LD_LIBRARY_PATH", "<unset>"))
print("env-clean", not any(k.startswith("_PYFREEZE") for k in os.environ))
print("ls", subprocess.run(["ls", "/"], capture_output=True).returncode)

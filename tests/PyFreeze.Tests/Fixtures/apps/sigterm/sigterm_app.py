import signal
import sys
import time


def handler(signum, frame):
    print("got-sigterm", signum, flush=True)
    sys.exit(42)


signal.signal(signal.SIGTERM, handler)
try:
    print("ready", flush=True)  # inside the try: the test signals as soon as it reads this line
    time.sleep(60)
except KeyboardInterrupt:
    print("keyboard-interrupt", flush=True)
    sys.exit(43)

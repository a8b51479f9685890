import os
import signal
import sys
import time


def handler(signum, frame):
    # os.write, not print: the signal may land while print("ready") is still flushing stdout
    os.write(1, b"got-sigterm %d\n" % signum)
    sys.exit(42)


signal.signal(signal.SIGTERM, handler)
try:
    print("ready", flush=True)  # inside the try: the test signals as soon as it reads this line
    time.sleep(60)
except KeyboardInterrupt:
    os.write(1, b"keyboard-interrupt\n")
    sys.exit(43)

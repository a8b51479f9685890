import sys

import yt_dlp

sys.exit(yt_dlp.main(["--version"]))

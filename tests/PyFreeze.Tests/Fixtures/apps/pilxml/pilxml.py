"""Pillow and defusedxml without lxml: python3 never imports lxml here, so the frozen app must not carry it."""
import sys

import defusedxml.ElementTree as ET
from PIL import Image

print("png=%s" % (Image.new("RGB", (3, 2)).size,))
print("xml=%s" % ET.fromstring("<a><b>1</b></a>").find("b").text)
print("lxml=%s" % ("lxml" in sys.modules))

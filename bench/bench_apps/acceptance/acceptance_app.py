"""Acceptance-style app: numpy, requests, pygments and yaml together, the mix the build-speed goals name."""
import numpy as np
import requests
import yaml
from pygments import highlight
from pygments.formatters import TerminalFormatter
from pygments.lexers import get_lexer_by_name

doc = yaml.safe_load("values: [1, 2, 3]")
total = int(np.asarray(doc["values"]).sum())
session = requests.Session()
code = highlight("x = %d\n" % total, get_lexer_by_name("python"), TerminalFormatter())
print("acceptance ok", total, requests.__version__, len(code) > 0, session.headers["User-Agent"].split("/")[0])

"""BeautifulSoup with the html5lib and lxml parsers."""
from bs4 import BeautifulSoup
h = "<p class=a>one<p>two<a href='/x'>link</a>"
for parser in ("html5lib", "lxml", "html.parser"):
    s = BeautifulSoup(h, parser)
    print(parser, [p.get_text() for p in s.find_all("p")], s.a["href"])

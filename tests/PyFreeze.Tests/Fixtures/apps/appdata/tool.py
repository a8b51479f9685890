"""Reads files beside itself, as scripts do: they must come along frozen without --add-data."""
import json
import os
import pathlib

here = os.path.dirname(os.path.abspath(__file__))
cfg = json.load(open(os.path.join(here, "settings.json")))
css = (pathlib.Path(__file__).parent / "static" / "css" / "site.css").read_text()
ini = open(os.path.join(here, "conf/app.ini")).read()
print(cfg["greeting"], len(css), ini.strip())
print("unrelated-collected", os.path.exists(os.path.join(here, "unrelated" + ".txt")))  # not a literal of the name

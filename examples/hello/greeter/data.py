import json
from importlib import resources


def load_phrases():
    return json.loads(resources.files(__package__).joinpath("phrases.json").read_text(encoding="utf-8"))

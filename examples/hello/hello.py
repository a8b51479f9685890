"""A small command-line app to freeze: `pyfreeze build examples/hello/hello.py`, then `dist/hello Ada`."""
import argparse
import json
import platform
import sys

from greeter import greet, load_phrases


def main(argv=None):
    parser = argparse.ArgumentParser(prog="hello", description="Greets people in several languages.")
    parser.add_argument("names", nargs="*", default=["world"], help="who to greet")
    parser.add_argument("--lang", default="en", help="language code (en, fr, de, es)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

    phrases = load_phrases()
    lines = [greet(name, args.lang, phrases) for name in args.names]
    if args.json:
        print(json.dumps({"greetings": lines, "frozen": getattr(sys, "frozen", False),
                          "python": platform.python_version()}))
    else:
        for line in lines:
            print(line)
        print(f"(Python {platform.python_version()}, frozen={getattr(sys, 'frozen', False)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

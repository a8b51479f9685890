"""Each CPython version's grammar, frozen: prints KEY=VALUE lines that python3 prints the same (PythonVersionTests).
3.12+ syntax lives in grammar312.py and 3.14's t-strings in uses_tstrings.py, each imported only under a version check,
as an app that supports several versions writes it: an older target cannot compile them and never imports them."""
import sys

print(f"version-ok={sys.version_info >= (3, 9)}")
if sys.version_info >= (3, 12):
    import grammar312
    grammar312.main()
else:
    print("grammar312=skipped")
if sys.version_info >= (3, 14):
    import uses_tstrings
    print(f"tstring={uses_tstrings.render('Ada')}")
else:
    print("tstring=skipped")
import removed_user
print(f"removed={removed_user.available()}")

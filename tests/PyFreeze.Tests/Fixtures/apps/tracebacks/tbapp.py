# Tracebacks of a frozen app (TracebackTests): what co_filename, inspect.getsource, traceback.print_exc, warnings and a
# real traceback renderer (rich.traceback) show. The tests run it from a folder holding decoy tbapp.py and
# tbpkg/mod.py of other content, which must never be shown.
import inspect
import linecache
import os
import sys
import traceback
import warnings

from tbpkg import mod


def render(exc_type, exc, tb):
    """A traceback renderer as rich.traceback's reads source: each frame's co_filename, a relative one joined to the
    current folder, its lines from linecache (a frame without source shows none)."""
    print("RENDER", exc_type.__name__, exc)
    while tb is not None:
        code = tb.tb_frame.f_code
        filename = code.co_filename
        if not filename.startswith("<") and not os.path.isabs(filename):
            filename = os.path.join(os.getcwd(), filename)
        lines = linecache.getlines(filename, tb.tb_frame.f_globals)
        line = lines[tb.tb_lineno - 1].strip() if len(lines) >= tb.tb_lineno else "(no source)"
        print("FRAME %s:%d %s: %s" % (filename, tb.tb_lineno, code.co_name, line))
        tb = tb.tb_next
    sys.stdout.flush()


def main(mode):
    print("MOD_FILE", mod.fail.__code__.co_filename)
    print("MAIN_FILE", main.__code__.co_filename)
    # The bytecode the import system reads (beside the source, it is where cache_from_source says: else CPython would
    # compile the source at run time)
    print("CACHED", mod.__cached__, os.path.isfile(mod.__cached__))
    try:
        print("SOURCE", repr(inspect.getsource(mod.fail)))
    except OSError as e:
        print("NOSOURCE", type(e).__name__, e)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mod.fail(1)
    for w in caught:
        sys.stdout.write("WARNING " + warnings.formatwarning(w.message, w.category, w.filename, w.lineno))
    try:
        mod.fail(0)
    except ZeroDivisionError:
        traceback.print_exc(file=sys.stdout)
    sys.stdout.flush()
    if mode == "render":
        sys.excepthook = render
        mod.fail(0)
    if mode == "rich":
        from rich.traceback import install
        install(width=200)
        mod.fail(0)  # uncaught: rich's excepthook renders it on stderr, reading the source through linecache


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "plain")

# PyFreeze boot module: the first code that runs in a frozen app's interpreter.
#
# The bootloader starts:  <root>/python/bin/NAME -I -S -B [-O] <root>/python/boot.pyc ARGV0 ARGS...
# This module makes the process look like `python3 app.py ARGS` from the app's point of view (sys.frozen,
# sys._MEIPASS, sys.executable, sys.argv), handles multiprocessing's re-entry, runs runtime hooks, and runs
# the entry module as __main__. _PYFREEZE_CONFIG is prepended by the build (a dict literal).
import sys

# The warm path imports nothing that `python3 -I -S app.py` does not (issue 14: `os` alone, with posixpath, stat and
# _collections_abc, costs ~1.8 ms): the process environment and paths go through the built-in `posix` module (what os
# wraps, Lib/os.py) and the few path helpers below. Windows (the in-process launcher) uses os itself.
if sys.platform == "win32":
    import os as _OS
    _SEP, _PATHSEP, _DEFPATH = _OS.sep, _OS.pathsep, _OS.defpath

    def _join(a, b):
        return _OS.path.join(a, b)

    def _dirname(path):
        return _OS.path.dirname(path)

    def _basename(path):
        return _OS.path.basename(path)

    def _abspath(path):
        return _OS.path.abspath(path)
else:
    import posix as _OS
    _SEP, _PATHSEP, _DEFPATH = "/", ":", "/bin:/usr/bin"  # Lib/posixpath.py's sep, pathsep and defpath

    def _join(a, b):
        """posixpath.join of two parts."""
        if b.startswith("/"):
            return b
        return a + b if not a or a.endswith("/") else a + "/" + b

    def _dirname(path):
        """posixpath.dirname: what precedes the last slash, trailing slashes removed unless it is all slashes."""
        head = path[:path.rfind("/") + 1]
        return head.rstrip("/") or head

    def _basename(path):
        return path[path.rfind("/") + 1:]

    def _abspath(path):
        """posixpath.abspath: joined to the current folder when relative, then normalised as posixpath.normpath does
        (no "." or empty parts, ".." removes the part before it, none above the root; two leading slashes kept)."""
        if not path.startswith("/"):
            path = _join(_OS.getcwd(), path)
        parts = []
        for part in path.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(part)
        lead = "//" if path.startswith("//") and not path.startswith("///") else "/"
        return lead + "/".join(parts)


def _exists(path):
    """os.path.exists."""
    try:
        _OS.stat(path)
    except (OSError, ValueError):
        return False
    return True


class _Environ:
    """The process environment as the boot module needs it (pop, get, set of str names and values), without os on POSIX:
    posix.environ is the very dict (bytes to bytes, in the file-system encoding with surrogateescape) that os.environ
    wraps once os is imported (Lib/os.py `_createenviron`), so changing it together with the C environment (putenv,
    unsetenv) keeps os.environ, os.getenv and child processes in step, before or after the app imports os."""

    def __init__(self):
        self._enc = sys.getfilesystemencoding()
        self._err = "surrogateescape"  # as Lib/os.py encodes and decodes the environment
        self._data = _OS.environ
        self._bytes = sys.platform != "win32"

    def _key(self, name):
        return name.encode(self._enc, self._err) if self._bytes else name

    def _value(self, raw):
        return raw.decode(self._enc, self._err) if self._bytes and raw is not None else raw

    def get(self, name, default=None):
        value = self._data.get(self._key(name))
        return default if value is None else self._value(value)

    def pop(self, name):
        key = self._key(name)
        if key not in self._data:
            return None
        value = self._data.pop(key)
        if self._bytes:
            _OS.unsetenv(key)
        return self._value(value)

    def set(self, name, value):
        if self._bytes:
            key, raw = self._key(name), value.encode(self._enc, self._err)
            _OS.putenv(key, raw)
            self._data[key] = raw
        else:
            self._data[name] = value


def _pyfreeze_boot(config):
    env = _Environ()
    timing = env.pop("_PYFREEZE_TIMING")  # PYFREEZE_DEBUG=timing: the bootloader's stamps (see _report_timing)
    if timing is not None:
        import time
        timing = timing.split() + [str(time.monotonic_ns())]
    executable = env.pop("_PYFREEZE_EXECUTABLE")
    error_log = env.pop("_PYFREEZE_ERROR_LOG")  # a windowed app on Windows: no console to show errors on
    original = env.pop("_PYFREEZE_ORIGINAL_LIBRARY_PATH")
    mp_parent = env.pop(_MP_PARENT)  # set only by this app's own multiprocessing parent (see _as_mp_parent)
    libvar = "DYLD_LIBRARY_PATH" if sys.platform == "darwin" else "LD_LIBRARY_PATH"
    if original is not None:
        # Give subprocesses the user's own loader path back; this process keeps the bundled one.
        if original.startswith("1:"):
            env.set(libvar, original[2:])
        else:
            env.pop(libvar)

    here = _dirname(_abspath(__file__))
    root = _dirname(here)
    app = _join(root, "app")
    sys.frozen = True
    sys._MEIPASS = app
    argv = sys.argv[1:]
    if executable:
        executable = _invoked_path(argv[0] if argv else "", executable, env)
        sys.executable = executable
        sys._base_executable = executable
    sys.argv = argv if argv else [executable or ""]
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = list(sys.argv)
    sys.path[:] = [app] + [p for p in sys.path if p != app and _exists(p)]
    _absolute_filenames(root)

    import builtins
    import _sitebuiltins
    # `site` is not run (-S), but scripts call exit()/quit() and use help(): give them what site would.
    builtins.exit = _sitebuiltins.Quitter("exit", "Ctrl-D (i.e. EOF)")
    builtins.quit = _sitebuiltins.Quitter("quit", "Ctrl-D (i.e. EOF)")
    builtins.help = _sitebuiltins._Helper()

    for key, value in config.get("env", {}).items():
        env.set(key, value.replace("{MEIPASS}", app))

    _trim_tracebacks()
    if error_log:
        _windowed_errors(lambda: _run_app(config, root, app, mp_parent, timing), error_log)
    else:
        _run_app(config, root, app, mp_parent, timing)


def _absolute_filenames(root):
    """Makes every module loaded from a .pyc of the unpacked payload (the app folder, the stdlib, any folder below
    `root`) carry the absolute path of its .py beside the .pyc as co_filename (`<_MEIPASS>/pkg/mod.py`), as CPython's
    SourceFileLoader does for a module with source (importlib/_bootstrap_external.py `_compile_bytecode` calls
    `_imp._fix_co_filename`, Python/import.c, which rewrites the code object and its nested ones in C). The build records
    relative names (`pkg/mod.py`), which linecache resolves against the current folder and sys.path, so a user's own
    file of that name would be shown as the frozen app's source. A FileFinder path hook for folders below `root`, in
    front of CPython's own, gives them a sourceless loader that does this; the finders made before boot (the stdlib's,
    from the interpreter's start) are dropped so they are made again through it. Uses only modules already loaded."""
    import _imp
    import _frozen_importlib_external as ext
    base = ext.SourcelessFileLoader

    class SourcelessAppLoader(base):
        def get_code(self, fullname):
            code = base.get_code(self, fullname)
            path = self.path
            if code is not None and path.endswith(".pyc"):
                _imp._fix_co_filename(code, path[:-1])
            return code

    details = [(SourcelessAppLoader if loader is base else loader, suffixes)
               for loader, suffixes in ext._get_supported_file_loaders()]
    sep = "\\" if sys.platform == "win32" else "/"
    prefix = root.rstrip(sep) + sep
    isdir = ext._path_isdir
    finder = ext.FileFinder

    def app_path_hook(path):
        if not (path + sep).startswith(prefix) or not isdir(path):
            raise ImportError("not a folder of the frozen app", path=path)
        return finder(path, *details)

    sys.path_hooks.insert(0, app_path_hook)
    cache = sys.path_importer_cache
    for path in [p for p in cache if isinstance(p, str) and (p + sep).startswith(prefix)]:
        del cache[path]


def _report_timing(stamps):
    """PYFREEZE_DEBUG=timing: one line on stderr saying where the start's time went, from CLOCK_MONOTONIC stamps in
    nanoseconds (the bootloader's host start, main, cache check and exec; this interpreter's boot start; entry start)."""
    import time
    try:
        t = [int(v) for v in stamps] + [time.monotonic_ns()]
    except ValueError:
        return
    if len(t) != 6:
        return
    names = ("host start -> bootloader main", "-> cache checked", "-> exec", "-> interpreter ready", "-> entry start")
    parts = ["%s %.1f ms" % (n, (b - a) / 1e6) for n, a, b in zip(names, t, t[1:])]
    sys.stderr.write("pyfreeze timing: %s; total %.1f ms\n" % (", ".join(parts), (t[-1] - t[0]) / 1e6))
    sys.stderr.flush()


def _entry_code(name):
    """The spec and code object of a top-level, non-package entry module, found through sys.meta_path as the import
    system finds it (the frozen importlib's PathFinder: importlib/_bootstrap_external.py), without runpy or
    importlib.util, which would import a dozen stdlib modules that `python3 app.py` never imports; None for a
    dotted or package entry (runpy runs those, as `python3 -m` does)."""
    if "." in name:
        return None
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        spec = find(name, None) if find is not None else None
        if spec is not None:
            if spec.submodule_search_locations is not None or spec.loader is None:
                return None
            code = spec.loader.get_code(name)
            return (spec, code) if code is not None else None
    return None


def _run_app(config, root, app, mp_parent, timing=None):
    """Runs the runtime hooks, then multiprocessing's helper or the entry module as __main__."""
    import builtins

    facts = dict(config.get("facts", {}))
    facts["meipass"] = app
    facts["root"] = root
    facts["library_dirs"] = [_join(root, d) for d in facts.get("library_dirs", [])]
    facts["after_import"] = _after_import
    for hook in config.get("runtime_hooks", []):
        _run_hook(_join(root, hook), facts)

    # Every process of the app that starts multiprocessing's children names itself to them (see _as_mp_parent).
    _after_import("multiprocessing.util", _mark_mp_children)
    _after_import("multiprocessing.popen_spawn_win32", _mark_mp_children)
    helper = _multiprocessing_entry(sys.argv[1:], mp_parent, app)
    if helper is not None:
        helper()
        return

    main = type(sys)("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    found = _entry_code(config["entry"])
    if found is None:
        import runpy
        _, spec, code = runpy._get_module_details(config["entry"])
        if spec.parent:  # a package entry runs as `python3 -m PACKAGE` runs it
            if timing is not None:
                _report_timing(timing)
            runpy._run_code(code, main.__dict__, None, "__main__", spec)
            return
    else:
        spec, code = found
    # A script runs as `python3 app.py` runs it: __package__ None (click and werkzeug name the program "app" by it, not
    # "python -m app"); __spec__ stays set, as multiprocessing's spawn needs it.
    main.__dict__.update(__name__="__main__", __file__=spec.origin, __cached__=None, __doc__=None,
                         __loader__=spec.loader, __package__=None, __spec__=spec)
    if timing is not None:
        _report_timing(timing)
    exec(code, main.__dict__)


class _ErrorLog:
    """sys.stderr of a windowed app that has none: a text stream that opens the error log (appending, never
    truncating) on its first write, so an app that never fails leaves no file."""

    encoding = "utf-8"
    errors = "backslashreplace"

    def __init__(self, path):
        self.path = path
        self._file = None

    def _open(self):
        if self._file is None:
            import os
            import time
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            self._file = open(self.path, "a", encoding=self.encoding, errors=self.errors)
            self._file.write("--- %s %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), getattr(sys, "executable", "")))
        return self._file

    def write(self, text):
        try:
            f = self._open()
            n = f.write(text)
            f.flush()
            return n
        except OSError:
            return len(text)  # nowhere to report a broken log: dropped, as with no stderr at all

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if self._file is not None:
            try:
                self._file.flush()
            except OSError:
                pass

    def isatty(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        import io
        raise io.UnsupportedOperation("the error log has no file descriptor")


def _windowed_errors(run, path):
    """Runs `run` so that no error of a windowed app (Windows' GUI subsystem: no console, sys.stderr None) is lost, as
    PyInstaller's windowed bootloader does: a missing sys.stderr becomes the error log at `path` (opened when first
    written: warnings, threads' tracebacks, logging's last resort); an uncaught exception other than SystemExit is
    appended there with its traceback (the app's frames only), still handed to sys.excepthook when stderr is a real
    stream, and ends the process with exit code 1. The bootloader shows what the run added to the log in a message box."""
    log = _ErrorLog(path)
    if sys.stderr is None:
        sys.stderr = log
    try:
        run()
    except SystemExit:
        raise
    except BaseException as exc:
        import traceback
        tb = _app_frames(exc.__traceback__)
        exc.__traceback__ = tb
        try:
            text = "".join(traceback.format_exception(type(exc), exc, tb))
        except Exception:  # a broken __str__ must not hide the failure
            text = "%s (its message could not be formatted)\n" % type(exc).__name__
        log.write(text)
        log.flush()
        if sys.stderr is not None and sys.stderr is not log:
            try:
                sys.excepthook(type(exc), exc, tb)
            except Exception:
                pass
        raise SystemExit(1)


def _invoked_path(argv0, executable, env):
    """The path the app was started by, as CPython sets sys.executable: argv[0] made absolute (a symlink or another
    hard link stays as typed), or the first PATH match of a bare name, when it names the running executable; else
    `executable` (the bootloader's resolved path)."""
    try:
        if not argv0:
            return executable
        if _SEP in argv0 or (sys.platform == "win32" and "/" in argv0):
            candidates = [argv0]
        else:
            candidates = [_join(d, argv0) for d in env.get("PATH", _DEFPATH).split(_PATHSEP) if d]
        real = _OS.stat(executable)
        for candidate in candidates:
            try:
                st = _OS.stat(candidate)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == (real.st_dev, real.st_ino):
                return _abspath(candidate)
    except (OSError, ValueError):
        pass
    return executable


_MP_PARENT = "_PYFREEZE_MP_PARENT"


def _as_mp_parent(call):
    """Wraps a function that starts one of multiprocessing's children through sys.executable, so that the child, and
    only it, gets _PYFREEZE_MP_PARENT=<this process's pid> in its environment: set for the length of the call only
    (counted, for threads starting children at once), so the app's other subprocesses never see it."""
    import functools
    import os
    import threading
    lock = threading.Lock()
    depth = [0]

    @functools.wraps(call)
    def start(*args, **kwargs):
        with lock:
            depth[0] += 1
            os.environ[_MP_PARENT] = str(os.getpid())
        try:
            return call(*args, **kwargs)
        finally:
            with lock:
                depth[0] -= 1
                if depth[0] == 0:
                    os.environ.pop(_MP_PARENT, None)
    return start


def _mark_mp_children(module):
    """multiprocessing.util.spawnv_passfds starts spawn children, the forkserver and the resource tracker on POSIX;
    multiprocessing.popen_spawn_win32.Popen starts spawn children on Windows."""
    if hasattr(module, "spawnv_passfds"):
        module.spawnv_passfds = _as_mp_parent(module.spawnv_passfds)
    if module.__name__.endswith("popen_spawn_win32"):
        module.Popen.__init__ = _as_mp_parent(module.Popen.__init__)


class _Refused(Exception):
    pass


def _multiprocessing_entry(args, mp_parent, app):
    """The command lines multiprocessing uses to start a frozen executable again, when they come from this app's own
    multiprocessing parent; else None, and the arguments are the app's own, as `python3 app.py ARGS` would see them.

    spawn:          EXE --multiprocessing-fork tracker_fd=N pipe_handle=N   (parent_pid=N on Windows)
    helper servers: EXE [interpreter flags] -c "from multiprocessing.resource_tracker import main;main(N)"
                    EXE [interpreter flags] -c "from multiprocessing.forkserver import main; main(N, N, [...], **{...})"
                    EXE [interpreter flags] -c "import sys; from multiprocessing.forkserver import main; main(N, N, [...],
                        sys_argv=sys.argv[1:], **{...})" ARGV...   (3.13.12+, 3.14.3+, gh-144503: the parent's argv follows)
    The parent is the process _PYFREEZE_MP_PARENT names (set only by _as_mp_parent) and it must be our parent
    process: a command line alone (or with stdin) is never enough. Even then only these exact forms are run, with
    literal, checked arguments (the forkserver's main_path inside the app); anything else is refused with one line.
    """
    if not args or mp_parent is None or not mp_parent.isdigit() or int(mp_parent) != _OS.getppid():
        return None
    try:
        return _helper_for(args, app)
    except _Refused as e:
        sys.stderr.write("%s: error: refused a multiprocessing command line from the parent process: %s\n"
                         % (_basename(sys.executable or "app"), e))
        raise SystemExit(2)


def _helper_for(args, app):
    import re
    if args[0] == "--multiprocessing-fork":
        kwargs = {}
        for item in args[1:]:
            key, sep, value = item.partition("=")
            if not sep or key not in ("tracker_fd", "pipe_handle", "parent_pid") or key in kwargs or not re.fullmatch(r"-?[0-9]+", value):
                raise _Refused("unexpected argument %r" % item)
            kwargs[key] = int(value)
        if "pipe_handle" not in kwargs:
            raise _Refused("no pipe_handle")

        def spawn():
            from multiprocessing.spawn import spawn_main
            spawn_main(**kwargs)
        return spawn

    i = 0
    while i < len(args) and args[i] != "-c":
        # what subprocess._args_from_interpreter_flags() writes: single-letter flags, -W<opt>, -X<opt>
        if not re.fullmatch(r"-[dBSvbqIEsPO]+|-[WX].+", args[i]):
            return None
        i += 1
    if i + 1 >= len(args):
        return None
    code = args[i + 1]
    # gh-144503: the forkserver's sys_argv comes as real argv elements after -c CMD, which names them sys.argv[1:]
    sys_argv = None
    argv_import, argv_keyword = "import sys; ", ", sys_argv=sys.argv[1:]"
    if code.startswith(argv_import + "from multiprocessing.forkserver import main; ") and code.count(argv_keyword) == 1:
        code = code[len(argv_import):].replace(argv_keyword, "", 1)
        sys_argv = list(args[i + 2:])
    elif len(args) != i + 2:
        return None
    m = re.fullmatch(r"from multiprocessing\.resource_tracker import main;main\(([0-9]+)\)", code)
    if m and sys_argv is None:
        fd = int(m.group(1))

        def tracker():
            from multiprocessing.resource_tracker import main
            main(fd)
        return tracker
    prefix = "from multiprocessing.forkserver import main; "
    if not code.startswith(prefix):
        raise _Refused("-c is accepted only for multiprocessing's resource tracker and forkserver")
    positional, keywords = _literal_call(code[len(prefix):])
    if (len(positional) != 3 or not all(type(v) is int for v in positional[:2]) or type(positional[2]) is not list
            or not all(type(v) is str for v in positional[2])):
        raise _Refused("the forkserver takes (listener_fd, alive_r, [module names])")
    for key, value in keywords.items():
        if key == "main_path":
            if value is not None and not (type(value) is str and _inside(value, app)):
                raise _Refused("main_path %r is not a file of this app" % (value,))
        elif key == "sys_path":
            if value is not None and not (type(value) is list and all(type(p) is str for p in value)):
                raise _Refused("sys_path is not a list of folders")
        elif key == "authkey_r":
            if type(value) is not int:
                raise _Refused("authkey_r is not a descriptor")
        else:
            raise _Refused("the forkserver takes no %r" % (key,))
    if sys_argv is not None:
        keywords["sys_argv"] = sys_argv

    def forkserver():
        from multiprocessing.forkserver import main
        main(*positional, **keywords)
    return forkserver


def _inside(path, folder):
    import os
    real = os.path.realpath(path)
    return real.startswith(os.path.realpath(folder) + os.sep)


def _literal_call(text):
    """Parses `main(<literals>, **<literal dict>)` into (args, kwargs); refuses anything that is not literals."""
    import ast
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError):
        raise _Refused("not a call of main with literal arguments")
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or node.func.id != "main":
        raise _Refused("not a call of main with literal arguments")
    try:
        positional = [ast.literal_eval(a) for a in node.args]
        keywords = {}
        for kw in node.keywords:
            value = ast.literal_eval(kw.value)
            if kw.arg is None:
                if not isinstance(value, dict) or not all(type(k) is str for k in value):
                    raise _Refused("** of something that is not a dict of names")
                keywords.update(value)
            else:
                keywords[kw.arg] = value
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise _Refused("not a call of main with literal arguments")
    return positional, keywords


_BOOT_FILES = ("<pyfreeze-boot>", "<frozen runpy>")


def _app_frames(tb):
    """A traceback without its leading boot and runpy frames (runpy is frozen, or a .pyc of the stdlib whose
    co_filename _absolute_filenames made absolute)."""
    runpy = getattr(sys.modules.get("runpy"), "__file__", None) or "<no runpy>"
    if runpy.endswith(".pyc"):
        runpy = runpy[:-1]
    while tb is not None and (tb.tb_frame.f_code.co_filename in _BOOT_FILES or tb.tb_frame.f_code.co_filename == runpy):
        tb = tb.tb_next
    return tb


def _trim_tracebacks():
    """Unhandled exceptions print the app's frames only, as under `python3 app.py`."""
    original = sys.excepthook

    def excepthook(exc_type, exc, tb):
        tb = _app_frames(tb)
        if isinstance(exc, BaseException):
            exc.__traceback__ = tb  # PyErr_Display prints the exception's own __traceback__
        original(exc_type, exc, tb)
    sys.excepthook = excepthook


def _run_hook(path, facts):
    """Runs a compiled runtime hook (a .pyc: 16-byte header, then marshalled code; PEP 552)."""
    import marshal
    with open(path, "rb") as f:
        data = f.read()
    code = marshal.loads(data[16:])
    exec(code, {"__name__": "__pyfreeze_rthook__", "__file__": path, "__builtins__": __builtins__, "__pyfreeze__": facts})


class _AfterImportFinder:
    """A meta-path finder that lets runtime hooks patch a module right after its first import, so a hook for a
    module the app may never import costs nothing at start-up."""

    def __init__(self):
        self.pending = {}

    def find_spec(self, name, path=None, target=None):
        callbacks = self.pending.get(name)
        if not callbacks:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        del self.pending[name]
        loader = spec.loader
        exec_module = loader.exec_module

        def run(module):
            exec_module(module)
            for callback in callbacks:
                callback(module)
        loader.exec_module = run
        return spec


_after_import_finder = None


def _after_import(name, callback):
    global _after_import_finder
    module = sys.modules.get(name)
    if module is not None:
        callback(module)
        return
    if _after_import_finder is None:
        _after_import_finder = _AfterImportFinder()
        sys.meta_path.insert(0, _after_import_finder)
    _after_import_finder.pending.setdefault(name, []).append(callback)


_pyfreeze_boot(_PYFREEZE_CONFIG)  # noqa: F821 (prepended by the build)

# PyFreeze interpreter probe: run once by the build with the user's interpreter; prints one JSON object.
# Written so that any Python (even 2.7) can run it far enough to say what it is.
import sys
import os


def _out(obj):
    import json
    sys.stdout.write(json.dumps(obj, sort_keys=True))
    sys.stdout.write("\n")
    sys.stdout.flush()


def _main():
    impl = getattr(getattr(sys, "implementation", None), "name", None)
    if impl is None:  # Python 2
        import platform
        impl = platform.python_implementation().lower()
    version = list(sys.version_info[:3]) + [str(sys.version_info[3]), sys.version_info[4]]
    if impl != "cpython" or tuple(sys.version_info[:2]) < (3, 9) or tuple(sys.version_info[:2]) > (3, 14):
        _out({"unsupported": True, "implementation": impl, "version": version, "executable": sys.executable})
        return

    import importlib.machinery
    import importlib.util
    import sysconfig
    import _imp

    entry = sys.argv[1] if len(sys.argv) > 1 else ""
    out = {"implementation": impl, "version": version, "hexversion": sys.hexversion}
    out["magic"] = importlib.util.MAGIC_NUMBER.hex()
    out["cache_tag"] = sys.implementation.cache_tag
    out["executable"] = sys.executable
    base_exe = getattr(sys, "_base_executable", None) or sys.executable
    out["base_executable"] = base_exe
    out["real_executable"] = os.path.realpath(base_exe)
    for name in ("prefix", "base_prefix", "exec_prefix", "base_exec_prefix", "platlibdir", "platform", "byteorder",
                 "maxsize", "abiflags"):
        out[name] = getattr(sys, name, None)
    out["stdlib_dir"] = getattr(sys, "_stdlib_dir", None)
    paths = sysconfig.get_paths()
    out["stdlib"] = paths.get("stdlib")
    out["platstdlib"] = paths.get("platstdlib")
    out["purelib"] = paths.get("purelib")
    out["platlib"] = paths.get("platlib")
    dynload = None
    for p in sys.path:
        if os.path.basename(p) == "lib-dynload":
            dynload = p
            break
    out["lib_dynload"] = dynload
    out["sys_path"] = [p for p in sys.path[1:]]
    try:
        import site
        sp = list(site.getsitepackages())
        if site.ENABLE_USER_SITE:
            sp.append(site.getusersitepackages())
    except Exception:
        sp = []
    out["site_packages"] = sp
    out["extension_suffixes"] = list(importlib.machinery.EXTENSION_SUFFIXES)
    out["source_suffixes"] = list(importlib.machinery.SOURCE_SUFFIXES)
    out["bytecode_suffixes"] = list(importlib.machinery.BYTECODE_SUFFIXES)
    out["builtin_modules"] = sorted(sys.builtin_module_names)
    frozen = []
    if hasattr(_imp, "_frozen_module_names"):
        frozen = sorted(_imp._frozen_module_names())
    else:
        for name in ("_frozen_importlib", "_frozen_importlib_external", "zipimport", "__hello__", "__phello__",
                     "__phello__.spam"):
            if _imp.is_frozen(name):
                frozen.append(name)
    # A frozen module counts only when the import system would use it (3.11+: -X frozen_modules=on).
    out["frozen_modules"] = [m for m in frozen if _uses_frozen(m)]
    out["stdlib_module_names"] = sorted(getattr(sys, "stdlib_module_names", []))
    cv = sysconfig.get_config_var
    out["soabi"] = cv("SOABI")
    out["multiarch"] = getattr(sys.implementation, "_multiarch", None) or cv("MULTIARCH")
    out["shared"] = bool(cv("Py_ENABLE_SHARED"))
    out["gil_disabled"] = bool(cv("Py_GIL_DISABLED"))
    out["ldlibrary"] = cv("LDLIBRARY")
    out["instsoname"] = cv("INSTSONAME")
    out["libdir"] = cv("LIBDIR")
    out["libpython"] = _loaded_libpython() if out["shared"] else None
    try:
        out["sysconfigdata"] = sysconfig._get_sysconfigdata_name()
    except Exception:
        out["sysconfigdata"] = None
    try:
        out["glibc"] = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):
        out["glibc"] = None
    out["machine"] = os.uname().machine if hasattr(os, "uname") else os.environ.get("PROCESSOR_ARCHITECTURE", "")
    try:
        import _ssl
        paths = _ssl.get_default_verify_paths()  # (cafile env var, cafile, capath env var, capath)
        out["openssl_paths"] = [paths[1], paths[3]]
    except ImportError:
        out["openssl_paths"] = None
    out["tcl"] = _tcl()
    out["entry_error"] = _check_entry(entry) if entry else None
    _out(out)


def _check_entry(path):
    """Compiles the entry script (no code runs) so a syntax error is reported as this Python reports it."""
    try:
        with open(path, "rb") as f:
            source = f.read()
        compile(source, path, "exec", dont_inherit=True, flags=1024)  # ast.PyCF_ONLY_AST
    except SyntaxError as e:
        return "%s:%s: %s: %s" % (path, e.lineno, type(e).__name__, e.msg)
    except (ValueError, UnicodeDecodeError) as e:
        return "%s: %s: %s" % (path, type(e).__name__, e)
    except OSError as e:
        return "%s: %s" % (path, e.strerror or e)
    return None


def _tcl():
    """Where Tcl finds its script library (init.tcl), asked of the Tcl that tkinter starts, or None without _tkinter:
    the dependency walk cannot see these folders, and the frozen app's Tcl must be pointed at copies of them."""
    import importlib.util
    try:
        if importlib.util.find_spec("_tkinter") is None:
            return None
    except Exception:
        return None
    try:
        import tkinter
        t = tkinter.Tcl()
        return {"library": t.eval("info library"), "version": t.eval("info tclversion")}
    except BaseException as e:
        return {"error": "%s: %s" % (type(e).__name__, " ".join(str(e).split()))}


def _uses_frozen(name):
    import importlib.machinery
    try:
        return importlib.machinery.FrozenImporter.find_spec(name) is not None
    except Exception:
        return False


def _loaded_libpython():
    """The libpython this process really runs (from /proc/self/maps), else the configured one."""
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.rstrip("\n").split(None, 5)[-1] if line.count(" ") >= 5 else ""
                if "/libpython" in path and os.path.isfile(path):
                    return path
        return None  # linked statically (Debian's /usr/bin/python3.X), whatever sysconfig says
    except OSError:
        pass
    import sysconfig
    libdir, name = sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("INSTSONAME")
    if libdir and name and os.path.isfile(os.path.join(libdir, name)):
        return os.path.join(libdir, name)
    return None


try:
    _main()
except Exception:
    import traceback
    _out({"error": traceback.format_exc()})

"""semcore: frozen-semantics checks of the standard library, one command per check (argv[1])."""
import os
import sys

import sempkg


def out(key, value):
    print(f"{key}={value}")


def rel(path):
    """A path relative to the unpacked app (or to this script's folder when not frozen)."""
    base = getattr(sys, "_MEIPASS", os.path.dirname(os.path.abspath(__file__)))
    return os.path.relpath(os.path.abspath(path), base)


def square(x):
    return x * x


def shared_work(shared, value, lock, name, i):
    from multiprocessing import shared_memory
    shm = shared_memory.SharedMemory(name=name)
    shm.buf[i] = i + 1
    shm.close()
    with lock:
        value.value += i
    shared[i] = os.getpid()


def cmd_files(args):
    import sempkg.plugins.alpha
    import semns.nsmod
    out("main-file", rel(__file__))
    out("main-file-abs", os.path.isabs(__file__))
    out("main-name", __name__)
    out("main-spec", __spec__.name if __spec__ else None)
    out("pkg-file", rel(sempkg.__file__))
    out("sub-file", rel(sempkg.plugins.alpha.__file__))
    out("ns-file", rel(semns.nsmod.__file__))
    out("ns-path", [rel(p) for p in semns.__path__])
    with open(os.path.join(os.path.dirname(sempkg.__file__), "data", "hello.txt")) as f:
        out("file-relative-data", f.read().strip())
    out("meipass", getattr(sys, "_MEIPASS", None))
    out("file-under-meipass", os.path.abspath(__file__).startswith(getattr(sys, "_MEIPASS", "?") + os.sep))
    out("executable", sys.executable)
    out("executable-exists", os.path.isfile(sys.executable))
    out("argv0", sys.argv[0])
    out("cwd", os.getcwd())
    if "--spawn" in args:
        import multiprocessing as mp
        with mp.get_context("spawn").Pool(1) as pool:
            out("spawn-through-executable", sum(pool.map(square, range(4))))


def cmd_resources(args):
    import importlib.resources as res
    import pkgutil
    import sempkg.plugins
    import semns.part  # noqa: F401
    out("res-read", res.files("sempkg").joinpath("data", "hello.txt").read_text().strip())
    out("res-is-file", res.files("sempkg").joinpath("data/hello.txt").is_file())
    out("res-listing", sorted(p.name for p in res.files("sempkg").joinpath("data").iterdir()))
    with res.as_file(res.files("sempkg") / "data" / "hello.txt") as p:
        out("res-as-file", open(p).read().strip())
    out("ns-res-top", res.files("semns").joinpath("top.txt").read_text().strip())
    out("ns-res-sub", res.files("semns.part").joinpath("ns.txt").read_text().strip())
    out("ns-res-names", sorted(p.name for p in res.files("semns").iterdir() if not p.name.startswith("__")))
    plugins = sorted(m.name for m in pkgutil.iter_modules(sempkg.plugins.__path__))
    out("iter-plugins", plugins)
    import importlib
    out("loaded-plugins", [importlib.import_module("sempkg.plugins." + n).NAME for n in plugins])
    out("iter-prefixed", sorted(m.name for m in pkgutil.iter_modules(sempkg.plugins.__path__, "sempkg.plugins.")))
    top = {m.name: m.ispkg for m in pkgutil.iter_modules()}
    out("iter-top", [(n, top.get(n)) for n in ("sempkg", "semns", "lazymod", "optmod", "json")])
    out("walk", sorted(m.name for m in pkgutil.walk_packages(sempkg.__path__, "sempkg.")))
    out("get-data", pkgutil.get_data("sempkg", "data/hello.txt").decode().strip())
    out("get-data-ns", pkgutil.get_data("semns.part", "ns.txt").decode().strip())


def cmd_mp(args):
    import concurrent.futures
    import multiprocessing as mp
    method = args[0]
    ctx = mp.get_context(method)
    with ctx.Pool(2) as pool:
        out("pool", sum(pool.map(square, range(10))))
    q = ctx.Queue()
    p = ctx.Process(target=q.put, args=(os.getpid(),))
    p.start()
    out("queue-from-child", q.get(timeout=60) == os.getpid())
    p.join()
    out("child-exitcode", p.exitcode)
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        out("executor", list(ex.map(square, [3, 4, 5])))
        out("executor-submit", ex.submit(pow, 2, 10).result(timeout=60))
    # A Manager's server process, a shared Value and Lock, and shared memory (which starts the resource tracker
    # helper through sys.executable -c "from multiprocessing.resource_tracker import main;main(N)").
    from multiprocessing import shared_memory
    with ctx.Manager() as manager:
        shared = manager.dict()
        value = ctx.Value("i", 0)
        lock = ctx.Lock()
        shm = shared_memory.SharedMemory(create=True, size=4)
        workers = [ctx.Process(target=shared_work, args=(shared, value, lock, shm.name, i)) for i in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
        out("manager", (len(shared), value.value, bytes(shm.buf[:3]).hex(), [w.exitcode for w in workers]))
        shm.close()
        shm.unlink()
    out("children-left", mp.active_children())
    out("method", ctx.get_start_method())


def cmd_ctypes(args):
    import ctypes
    import ctypes.util
    found_c = ctypes.util.find_library("c")
    found_m = ctypes.util.find_library("m")
    out("find-c", found_c)
    out("find-m", found_m)
    libc = ctypes.CDLL(found_c)
    out("libc-abs", libc.abs(-7))
    libm = ctypes.CDLL(found_m)
    libm.cos.restype = ctypes.c_double
    libm.cos.argtypes = [ctypes.c_double]
    out("libm-cos0", libm.cos(0.0))
    out("libc-by-name", ctypes.CDLL("libc.so.6").strlen(b"four"))
    out("find-missing", ctypes.util.find_library("pyfreeze-no-such-library"))
    ctypes.pythonapi.Py_GetVersion.restype = ctypes.c_char_p
    out("pythonapi", (ctypes.pythonapi.Py_IsInitialized(), ctypes.pythonapi.Py_GetVersion().decode().split()[0] == sys.version.split()[0]))
    out("cdll-none", ctypes.CDLL(None).getpid() == os.getpid())
    root = os.path.dirname(getattr(sys, "_MEIPASS", "/nonexistent"))
    ffi = ctypes.util.find_library("ffi")
    out("find-ffi-bundled", bool(ffi) and os.path.abspath(ffi).startswith(root + os.sep))
    if ffi:
        out("ffi-loads", ctypes.CDLL(ffi)._name == ffi)
    if len(args) > 0:
        shipped = os.path.join(getattr(sys, "_MEIPASS", ""), args[0])
        lib = ctypes.CDLL(shipped)
        lib.zlibVersion.restype = ctypes.c_char_p
        out("shipped-exists", os.path.isfile(shipped))
        out("shipped-version-ok", lib.zlibVersion().decode().count(".") >= 2)


def cmd_zoneinfo(args):
    import datetime
    import importlib.util
    import zoneinfo
    for key, label in (("Europe/Paris", "paris"), ("America/New_York", "ny"), ("UTC", "utc")):
        try:
            zone = zoneinfo.ZoneInfo(key)
        except zoneinfo.ZoneInfoNotFoundError as e:
            out(label, "not-found: " + str(e))
            continue
        out(label + "-summer", datetime.datetime(2024, 7, 1, 12, tzinfo=zone).utcoffset())
        out(label + "-winter", datetime.datetime(2024, 1, 1, 12, tzinfo=zone).tzname())
    # tzdata is never imported by name here: zoneinfo loads it by a computed name when the system has no database.
    out("tzdata-package", importlib.util.find_spec("tzdata") is not None)
    out("available", len(zoneinfo.available_timezones()))


def cmd_optimize(args):
    import optmod
    out("flags-optimize", sys.flags.optimize)
    out("debug", __debug__)
    out("assert", optmod.check_assert())
    out("func-doc", optmod.documented.__doc__)
    out("module-doc", optmod.__doc__)
    out("main-doc", __doc__)


def cmd_stdio(args):
    for i in range(3):
        print(f"out{i}")
        print(f"err{i}", file=sys.stderr)
    sys.stdout.write("tail-no-newline")


def cmd_encodings(args):
    """Codecs are looked up by name at run time (encodings.search_function imports encodings.NAME)."""
    import codecs
    text = "日本é"
    for enc in ("cp1252", "shift_jis", "euc_kr", "big5", "utf-16", "mac_roman", "koi8_r", "cp437", "hz"):
        out("enc-" + enc, text.encode(enc, "replace").hex())
    out("enc-idna", "bücher.example".encode("idna").decode())
    out("enc-punycode", "bücher".encode("punycode").decode())
    out("enc-rot13", codecs.encode("abc", "rot13"))
    out("enc-base64", codecs.encode(b"abc", "base64").strip().decode())
    out("enc-alias", codecs.lookup("latin_1").name + "," + codecs.lookup("UTF8").name + "," + codecs.lookup("sjis").name)
    out("enc-fs", sys.getfilesystemencoding())


def cmd_lazy(args):
    import time
    ready, go = args
    with open(ready, "w") as f:
        f.write(str(os.getpid()))
    deadline = time.monotonic() + 60
    while not os.path.exists(go):
        if time.monotonic() > deadline:
            out("timeout", True)
            sys.exit(9)
        time.sleep(0.05)
    import lazymod
    import importlib.resources
    out("executable-still-exists", os.path.exists(sys.executable))
    out("lazy", lazymod.VALUE)
    out("lazy-data", importlib.resources.files("sempkg").joinpath("data/hello.txt").read_text().strip())
    import json
    import decimal
    out("lazy-stdlib", json.dumps({"d": str(decimal.Decimal("0.1") * 3)}))


COMMANDS = {name[4:]: fn for name, fn in dict(globals()).items() if name.startswith("cmd_")}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](sys.argv[2:])

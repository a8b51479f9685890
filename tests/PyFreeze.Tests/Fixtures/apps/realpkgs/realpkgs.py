"""Real Debian packages that needed a fix to run frozen with no flags; prints KEY=VALUE lines (RealPackagesTests)."""
import sys


def out(key, value):
    print(f"{key}={value}", flush=True)


def check(key, fn):
    try:
        out(key, fn())
    except Exception as e:  # one failure must not hide the others
        out(key, f"ERROR {type(e).__name__}: {e}")


def cffi_modules():
    # bcrypt's and PyNaCl's cffi-compiled modules import _cffi_backend from C.
    import bcrypt
    import nacl.secret
    box = nacl.secret.SecretBox(b"k" * 32)
    return f"{bcrypt.checkpw(b'pw', bcrypt.hashpw(b'pw', bcrypt.gensalt(4)))} {box.decrypt(box.encrypt(b'msg', b'n' * 24))!r}"


def click_prog_name():
    # click names the program from __main__.__package__: None for a script, as under python3 app.py.
    import click.utils
    return f"{__package__} {click.utils._detect_program_name()}"


def shapely_geos():
    # shapely 1.x loads libgeos_c with ctypes, and looks for PyInstaller's layout when sys.frozen is set.
    from shapely.geometry import Point
    return f"{round(Point(0, 0).buffer(1).area, 2)} {getattr(sys, 'frozen', None)}"


def pyproj_data():
    # pyproj against Debian's PROJ finds proj.db under sys.prefix; frozen, the hook puts it inside the package (the test
    # hides /usr/share/proj).
    import pyproj
    t = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    data = pyproj.datadir.get_data_dir().replace("\\", "/")
    return f"{[round(v) for v in t.transform(2.35, 48.85)]} {pyproj.CRS('EPSG:2154').name} {data.startswith(getattr(sys, '_MEIPASS', sys.prefix))}"


def mypy_check():
    # Debian's mypy is mypyc-compiled: a package whose __init__ is an extension, a hash-named helper binary that imports
    # json and mypy_extensions from C, and typeshed's .pyi stubs as data.
    from mypy import api
    stdout, _, status = api.run(["--no-incremental", "--no-error-summary", "-c", "x: int = 'a'"])
    return f"{status} {stdout.strip()}"


def magic_db():
    # python-magic's bundled libmagic needs its own magic.mgc; the test hides the system's.
    import magic
    return magic.from_buffer(b"%PDF-1.4 x")


def markdown_codehilite():
    # Markdown loads its extensions by entry point; codehilite's module-level optional import of pygments must come along.
    import markdown
    return markdown.markdown("```python\nx = 1\n```", extensions=["fenced_code", "codehilite"]).split("\n")[0]


def alembic_init():
    # alembic init copies templates/generic/, whose env.py sits in a folder that is no package: data, not a module.
    import contextlib
    import io
    import os
    import tempfile
    import alembic.command
    import alembic.config
    with tempfile.TemporaryDirectory() as tmp:
        cfg = alembic.config.Config(os.path.join(tmp, "alembic.ini"))
        with contextlib.redirect_stdout(io.StringIO()):
            alembic.command.init(cfg, os.path.join(tmp, "mig"))
        return sorted(os.listdir(os.path.join(tmp, "mig")))


def faker_locales():
    # Faker 0.9 lists its locales in cx_Freeze's layout when frozen (the faker hook), and its misc provider, loaded by
    # name, imports uuid, whose module-level conditional import of platform must come along.
    import faker
    f = faker.Faker("fr_FR")
    f.seed_instance(42)
    return f"{f.name()} {len(f.uuid4())}"


def sqlalchemy_sqlite():
    # SQLAlchemy imports the dialect a URL names by a computed name (sqlalchemy.dialects.sqlite.pysqlite), and the
    # dialect imports its driver, sqlite3, in a classmethod: followed though no import statement reaches the dialect.
    import sqlalchemy
    engine = sqlalchemy.create_engine("sqlite://")
    with engine.connect() as conn:
        return f"{conn.execute(sqlalchemy.text('select 6 * 7')).scalar()} {engine.dialect.name} {engine.dialect.driver}"


check("cffi", cffi_modules)
check("click", click_prog_name)
check("shapely", shapely_geos)
check("pyproj", pyproj_data)
check("mypy", mypy_check)
check("magic", magic_db)
check("markdown", markdown_codehilite)
check("alembic", alembic_init)
check("faker", faker_locales)
check("sqlalchemy", sqlalchemy_sqlite)
out("done", True)

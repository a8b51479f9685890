"""semthird: real packages frozen with no flags, one check per package; each prints key=value lines, and a failing
check prints CHECK-error=... without stopping the others."""
import os
import sys
import traceback


def out(key, value):
    print(f"{key}={value}", flush=True)


def check_jinja2():
    import jinja2
    env = jinja2.Environment(loader=jinja2.PackageLoader("tplpkg"), autoescape=jinja2.select_autoescape())
    out("jinja2-render", env.get_template("hello.html").render(name="<Ada>").strip())
    out("jinja2-list", env.list_templates())


def check_yaml():
    import yaml
    out("yaml-libyaml", yaml.__with_libyaml__)
    data = yaml.load("a: [1, 2]\nb: {c: d}\n", Loader=yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)
    out("yaml-load", data)
    out("yaml-dump", yaml.dump({"x": [1, 2]}, Dumper=yaml.CSafeDumper if yaml.__with_libyaml__ else yaml.SafeDumper).strip().replace("\n", "|"))


def check_pygments():
    from pygments import highlight
    from pygments.formatters import get_formatter_by_name
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
    from pygments.styles import get_style_by_name
    html = highlight("def f(x):\n    return x\n", get_lexer_by_name("python"), get_formatter_by_name("html"))
    out("pygments-html", '<span class="k">def</span>' in html)
    out("pygments-rust", get_lexer_for_filename("main.rs").name)
    out("pygments-style", get_style_by_name("monokai").__name__)
    ansi = highlight("SELECT 1;", get_lexer_by_name("sql"), get_formatter_by_name("terminal256", style="monokai"))
    out("pygments-ansi", "\x1b[" in ansi)


def check_click():
    import click
    from click.testing import CliRunner

    @click.command()
    @click.option("--count", default=1, type=int)
    @click.argument("name")
    def hello(count, name):
        for _ in range(count):
            click.echo(f"hi {name}")

    result = CliRunner().invoke(hello, ["--count", "2", "Ada"])
    out("click-output", result.output.strip().replace("\n", "|"))
    out("click-exit", result.exit_code)
    bad = CliRunner().invoke(hello, ["--count", "x", "Ada"])
    out("click-bad-exit", bad.exit_code)


def check_flask():
    import flask
    app = flask.Flask(__name__)

    @app.route("/hello/<name>")
    def hello(name):
        return flask.jsonify(greeting=f"hi {name}", n=len(name))

    @app.route("/page")
    def page():
        return flask.render_template_string("<b>{{ v }}</b>", v="<x>")

    client = app.test_client()
    r = client.get("/hello/Ada")
    out("flask-json", (r.status_code, r.get_json()))
    out("flask-page", client.get("/page").get_data(as_text=True))
    out("flask-404", client.get("/nope").status_code)


def check_lxml():
    from lxml import etree, html
    root = etree.fromstring(b"<r><i n='1'>a</i><i n='2'>b</i></r>")
    out("lxml-xpath", root.xpath("//i[@n='2']/text()"))
    out("lxml-html", html.fromstring("<p>x<b>y</b></p>").text_content())
    out("lxml-tostring", etree.tostring(root[0]).decode())


def check_pil():
    import io
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (32, 16), (255, 0, 0))
    ImageDraw.Draw(img).rectangle([0, 0, 7, 7], fill=(0, 0, 255))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    back = Image.open(io.BytesIO(buf.getvalue()))
    out("pil-png", (back.format, back.size, back.getpixel((1, 1)), back.getpixel((20, 10))))
    jpg = io.BytesIO()
    img.save(jpg, format="JPEG")
    out("pil-jpeg", Image.open(io.BytesIO(jpg.getvalue())).format)


def check_cryptography():
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    f = Fernet(Fernet.generate_key())
    out("crypto-fernet", f.decrypt(f.encrypt(b"secret message")).decode())
    h = hashes.Hash(hashes.SHA256())
    h.update(b"pyfreeze")
    out("crypto-sha256", h.finalize().hex()[:12])


def check_numpy():
    import numpy as np
    a = np.arange(12, dtype=float).reshape(3, 4)
    out("numpy-sum", a.sum())
    out("numpy-solve", [float(v) for v in np.linalg.solve(np.array([[2.0, 0], [0, 4.0]]), np.array([2.0, 8.0]))])


def check_metadata():
    import importlib.metadata as md
    out("md-versions", {d: md.version(d) for d in ("requests", "click", "flask", "jinja2", "pyyaml")})
    out("md-name", md.metadata("click")["Name"])
    out("md-requires-flask", md.requires("flask"))
    eps = md.entry_points(group="console_scripts")
    flask_ep = [ep for ep in eps if ep.name == "flask"]
    out("md-ep-flask", flask_ep[0].value if flask_ep else None)
    out("md-ep-load", flask_ep[0].load().__module__ if flask_ep else None)
    pyg = md.entry_points(group="console_scripts", name="pygmentize")
    out("md-ep-pygmentize", [ep.value for ep in pyg])
    out("md-files", md.distribution("requests").read_text("top_level.txt") is not None or md.files("requests") is not None)


def check_pytz():
    import datetime
    import pytz
    paris = pytz.timezone("Europe/Paris")
    out("pytz-paris", paris.localize(datetime.datetime(2024, 7, 1, 12)).utcoffset())


def check_tls():
    """A handshake with `openssl s_server` (SEM_TLS_PORT) trusted only through the test CA (SEM_TLS_CA)."""
    import socket
    import ssl
    import time
    import certifi
    import requests
    out("certifi-exists", os.path.isfile(certifi.where()))
    paths = ssl.get_default_verify_paths()
    out("default-store-exists", bool((paths.cafile and os.path.isfile(paths.cafile)) or (paths.capath and os.path.isdir(paths.capath))))
    out("default-store-loaded", ssl.create_default_context().cert_store_stats()["x509_ca"] > 50)
    out("requests-store-exists", os.path.isfile(requests.certs.where()))
    port = os.environ.get("SEM_TLS_PORT")
    if not port:
        return
    port = int(port)
    ca = os.environ["SEM_TLS_CA"]
    ctx = ssl.create_default_context(cafile=ca)
    deadline = time.monotonic() + 20
    while True:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
        out("tls-version", tls.version())
        out("tls-peer", dict(x[0] for x in tls.getpeercert()["subject"]).get("commonName"))
    try:
        with ssl.create_default_context().wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost"):
            out("untrusted", "accepted")
    except ssl.SSLCertVerificationError as e:
        out("untrusted", e.verify_message)
    r = requests.get(f"https://localhost:{port}/", verify=ca, timeout=20)
    out("requests-status", r.status_code)


CHECKS = [name[6:] for name in dict(globals()) if name.startswith("check_")]

if __name__ == "__main__":
    for name in sys.argv[1:] or CHECKS:
        try:
            globals()["check_" + name]()
        except BaseException:  # noqa: B036 (each check reports its own failure)
            out(name + "-error", traceback.format_exc().replace("\n", " | "))

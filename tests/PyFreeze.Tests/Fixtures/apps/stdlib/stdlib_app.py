import ctypes
import ctypes.util
import decimal
import hashlib
import json
import lzma
import sqlite3
import ssl
import zlib
import bz2

con = sqlite3.connect(":memory:")
con.execute("create table t (x)")
con.executemany("insert into t values (?)", [(i,) for i in range(10)])
total = con.execute("select sum(x) from t").fetchone()[0]
ctx = ssl.create_default_context()
libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
data = lzma.decompress(lzma.compress(b"pyfreeze" * 100))
print(json.dumps({
    "sqlite": total,
    "sqlite_version": sqlite3.sqlite_version,
    "ssl": ssl.OPENSSL_VERSION.split()[0],
    "ssl_ctx": ctx.verify_mode == ssl.CERT_REQUIRED,
    "ctypes_abs": libc.abs(-5),
    "lzma": len(data),
    "bz2": len(bz2.decompress(bz2.compress(b"x" * 1000))),
    "zlib": len(zlib.compress(b"abc")) > 0,
    "decimal": str(decimal.Decimal("1.1") + decimal.Decimal("2.2")),
    "sha256": hashlib.sha256(b"pyfreeze").hexdigest()[:12],
    "md5": hashlib.md5(b"pyfreeze").hexdigest()[:12],
}, sort_keys=True))

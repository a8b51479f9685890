"""Oracle app: a broad slice of the standard library, really exercised."""
import argparse
import array
import asyncio
import base64
import bisect
import collections
import concurrent.futures
import configparser
import contextlib
import csv
import ctypes
import dataclasses
import datetime
import decimal
import difflib
import email.message
import email.parser
import email.policy
import enum
import fnmatch
import fractions
import functools
import gettext
import glob
import gzip
import hashlib
import heapq
import hmac
import http.client
import io
import itertools
import json
import locale
import logging
import logging.handlers
import pathlib
import pprint
import re
import secrets
import selectors
import shutil
import socket
import sqlite3
import ssl
import statistics
import string
import struct
import subprocess
import tarfile
import tempfile
import textwrap
import threading
import typing
import unicodedata
import urllib.parse
import urllib.request
import uuid
import xml.dom.minidom
import xml.etree.ElementTree as ET
import zipfile
import zoneinfo


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Color(enum.Enum):
    RED = 1


async def work(n):
    await asyncio.sleep(0)
    return n * 2


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3)
    args = parser.parse_args([])
    out = {}
    out["json"] = json.loads(json.dumps({"a": [1, 2]}))
    buf = io.StringIO()
    csv.writer(buf).writerow([1, "two"])
    out["csv"] = buf.getvalue().strip()
    con = sqlite3.connect(":memory:")
    out["sqlite"] = con.execute("select 1+1").fetchone()[0]
    root = ET.fromstring("<a><b>x</b></a>")
    out["et"] = root.find("b").text
    out["minidom"] = xml.dom.minidom.parseString("<a/>").documentElement.tagName
    msg = email.message.EmailMessage()
    msg["Subject"] = "hi"
    msg.set_content("body")
    out["email"] = email.parser.BytesParser(policy=email.policy.default).parsebytes(msg.as_bytes())["Subject"]
    out["http"] = http.client.HTTPConnection("localhost", 1).host
    out["url"] = urllib.parse.urlparse("https://example.org/a?b=1").query
    out["asyncio"] = asyncio.run(work(args.n))
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        out["futures"] = sum(ex.map(abs, [-1, -2]))
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("x").addHandler(logging.handlers.MemoryHandler(10))
    out["subprocess"] = subprocess.run(["true"]).returncode
    with tempfile.TemporaryDirectory() as d:
        p = pathlib.Path(d) / "f.txt"
        p.write_text("hello")
        with zipfile.ZipFile(pathlib.Path(d) / "z.zip", "w", zipfile.ZIP_DEFLATED) as z:
            z.write(p, "f.txt")
        with tarfile.open(pathlib.Path(d) / "t.tar.gz", "w:gz") as t:
            t.add(p, "f.txt")
        with gzip.open(pathlib.Path(d) / "g.gz", "wb") as g:
            g.write(b"x")
        shutil.copy(p, pathlib.Path(d) / "copy.txt")
        out["glob"] = len(glob.glob(str(pathlib.Path(d) / "*")))
    out["datetime"] = datetime.datetime(2020, 1, 1, tzinfo=zoneinfo.ZoneInfo("UTC")).isoformat()
    out["decimal"] = str(decimal.Decimal("0.1") * 3)
    out["fractions"] = str(fractions.Fraction(1, 3) * 3)
    out["statistics"] = statistics.mean([1, 2, 3])
    out["uuid"] = len(str(uuid.uuid4()))
    out["b64"] = base64.b64encode(b"x").decode()
    out["hmac"] = hmac.new(b"k", b"m", hashlib.sha256).hexdigest()[:8]
    out["secrets"] = len(secrets.token_hex(4))
    out["textwrap"] = textwrap.shorten("a b c d e f", 5)
    out["pprint"] = pprint.pformat({"a": 1})
    out["point"] = dataclasses.asdict(Point(1, 2))
    out["color"] = Color.RED.name
    out["heap"] = heapq.nsmallest(1, [3, 1, 2])
    out["bisect"] = bisect.bisect([1, 2, 3], 2)
    out["re"] = re.sub(r"\d", "#", "a1b2")
    out["struct"] = struct.pack("<I", 1).hex()
    out["array"] = array.array("i", [1, 2]).tolist()
    out["socketpair"] = len(socket.socketpair())
    out["selectors"] = selectors.DefaultSelector().__class__.__name__ != ""
    out["ssl"] = ssl.create_default_context().check_hostname
    out["unicodedata"] = unicodedata.name("a")
    out["locale"] = locale.getpreferredencoding(False) != ""
    out["gettext"] = gettext.gettext("x")
    cp = configparser.ConfigParser()
    cp.read_string("[s]\nk=v\n")
    out["config"] = cp["s"]["k"]
    out["fnmatch"] = fnmatch.fnmatch("a.py", "*.py")
    out["difflib"] = difflib.SequenceMatcher(None, "abc", "abd").ratio() > 0
    out["template"] = string.Template("$x").substitute(x=1)
    out["ctypes"] = ctypes.sizeof(ctypes.c_int)
    out["collections"] = collections.Counter("aab").most_common(1)
    out["itertools"] = list(itertools.islice(itertools.count(), 2))
    out["functools"] = functools.reduce(lambda a, b: a + b, [1, 2])
    out["typing"] = typing.get_type_hints(Point) != {}
    out["thread"] = threading.current_thread().name
    with contextlib.suppress(Exception):
        urllib.request.Request("http://localhost")
    print(json.dumps(out, sort_keys=True, default=str))


if __name__ == "__main__":
    main()

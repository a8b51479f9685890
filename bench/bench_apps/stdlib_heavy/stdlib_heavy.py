import asyncio
import csv
import email.message
import http.client
import io
import json
import logging
import sqlite3
import ssl
import urllib.request
import xml.etree.ElementTree as ET
import zipfile

con = sqlite3.connect(":memory:")
con.execute("create table t(x)")
buf = io.StringIO()
csv.writer(buf).writerow([1, 2])
msg = email.message.EmailMessage()
msg["Subject"] = "x"
root = ET.fromstring("<a/>")
ctx = ssl.create_default_context()
logging.getLogger().setLevel(logging.WARNING)
print(json.dumps({"ok": True, "tag": root.tag}), asyncio.run(asyncio.sleep(0, result=1)))

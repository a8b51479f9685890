"""Oracle app: requests against a local HTTP server (no network)."""
import http.server
import json
import threading

import requests


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers["Content-Length"])
        data = self.rfile.read(n)
        self.send_response(201)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}"
with requests.Session() as s:
    r = s.get(base + "/hello", params={"q": "1"}, timeout=10)
    print(r.status_code, r.json(), r.encoding, r.apparent_encoding)
    r = s.post(base + "/echo", json={"x": 1}, timeout=10)
    print(r.status_code, r.text)
    r = requests.get(base + "/text", timeout=10)
    print(len(r.content))
server.shutdown()

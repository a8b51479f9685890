"""Bench app: a small Flask app (routes, a Jinja2 template, JSON) answering two requests through Flask's test client,
so it runs without a network; the Flask app of issue 20's size table (PyInstaller onefile: 11.6 MB)."""
from flask import Flask, jsonify, render_template_string, request

app = Flask(__name__)


@app.route("/")
def index():
    return render_template_string("<h1>{{ title }}</h1><ul>{% for i in items %}<li>{{ i }}</li>{% endfor %}</ul>",
                                  title="hello", items=[1, 2, 3])


@app.route("/api/echo", methods=["POST"])
def echo():
    return jsonify(received=request.get_json(), ok=True)


if __name__ == "__main__":
    client = app.test_client()
    page = client.get("/")
    api = client.post("/api/echo", json={"n": 42})
    print(page.status_code, page.data.decode()[:40], api.status_code, api.get_json())

"""Issue 20, cause 5: data a program keeps outside its packages, each check one KEY=VALUE line (compared with python3).

- gi: GObject typelibs (girepository-1.0/*.typelib) of the namespaces used, found through GI_TYPELIB_PATH;
- babel: its locale data, a symlink in Debian's package folder into /usr/share/python-babel-localedata;
- docutils: its writers' stylesheets and templates, under the absolute /usr/share/docutils (docutils._datadir);
- i18n/ and templates/: folders beside the entry read through __file__-relative paths; i18n/ holds .py files that
  are data (an extraction input), not modules.
"""
import os
import sys
from pathlib import Path


def check(key, fn):
    try:
        print(f"{key}={fn()}")
    except Exception as e:  # noqa: BLE001 (the line says what failed)
        print(f"{key}=ERROR {type(e).__name__}: {e}")


def gi_checks():
    import gi
    gi.require_version("Gio", "2.0")
    from gi.repository import GLib, GObject, Gio

    class Counter(GObject.Object):
        count = GObject.Property(type=int, default=3)

    c = Counter()
    c.count = 7
    check("gi_gobject", lambda: c.count)
    check("gi_glib", lambda: GLib.path_get_basename("/a/b/c.txt"))
    check("gi_variant", lambda: (GLib.Variant("(is)", (4, "four")).unpack(), GLib.Variant("(is)", (4, "four")).get_type_string()))
    check("gi_gio", lambda: (Gio.File.new_for_path("/etc/hostname").get_basename(), Gio.content_type_guess("x.txt", None)[0]))


def babel_checks():
    from babel import Locale
    from babel.dates import format_date
    import datetime
    check("babel_name", lambda: Locale.parse("de_DE").get_display_name("en"))
    check("babel_date", lambda: format_date(datetime.date(2024, 3, 1), format="long", locale="fr"))


def docutils_checks():
    from docutils.core import publish_string
    html = publish_string("Title\n=====\n\nSome *text*.\n", writer_name="html5", settings_overrides={"embed_stylesheet": True})
    check("docutils_html", lambda: (b"<em>text</em>" in html, b"minimal.css" in html or b"font-" in html))


def app_data_checks():
    here = os.path.dirname(__file__)
    i18n = os.path.join(here, "i18n")
    check("i18n_files", lambda: sorted(os.listdir(i18n)))
    check("i18n_source", lambda: open(os.path.join(i18n, "messages.py"), encoding="utf-8").read().count("_("))
    check("templates", lambda: (Path(__file__).parent / "templates" / "page.txt").read_text(encoding="utf-8").strip())
    # named relative to __file__ but absent at build time: the build warns with this file:line
    check("absent", lambda: os.path.exists(os.path.join(os.path.dirname(__file__), "absent-folder")))


gi_checks()
babel_checks()
docutils_checks()
app_data_checks()
check("frozen", lambda: getattr(sys, "frozen", False))

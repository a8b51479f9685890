"""A Tkinter app for the GUI end-to-end test.

tkapp.py tcl   Tcl only (no display): prints what the frozen Tcl found, as JSON, and exits.
tkapp.py       a window with a label, a button, a ttk progress bar and a canvas drawing; prints one JSON line with
               where they are once drawn, exits 0 when the button is clicked, 3 after 60 s without a click.
Both check that a program the app starts does not see TCL_LIBRARY/TK_LIBRARY.
"""
import json
import os
import subprocess
import sys
import tkinter
from tkinter import ttk


def child_env():
    """TCL_LIBRARY/TK_LIBRARY as a subprocess sees them (None when not set)."""
    out = subprocess.run(["env"], capture_output=True, text=True, check=True).stdout
    seen = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return {k: seen.get(k) for k in ("TCL_LIBRARY", "TK_LIBRARY")}


def tcl_only():
    tcl = tkinter.Tcl()
    facts = {
        "library": tcl.eval("info library"),
        "patchlevel": tcl.eval("info patchlevel"),
        "msgcat": tcl.eval("package require msgcat"),
        "latin2": tcl.eval("encoding convertto iso8859-2 \u0141"),  # needs encoding/iso8859-2.enc
        "environ": {k: os.environ.get(k) for k in ("TCL_LIBRARY", "TK_LIBRARY")},
        "child": child_env(),
    }
    print(json.dumps(facts))


def rect(w):
    return [w.winfo_rootx(), w.winfo_rooty(), w.winfo_width(), w.winfo_height()]


def window():
    root = tkinter.Tk()
    root.title("PyFreeze Tkinter")
    root.geometry("360x260+40+40")
    root.configure(background="#d9d9d9")
    label = tkinter.Label(root, text="Frozen with PyFreeze", font=("TkDefaultFont", 14), background="#d9d9d9")
    label.pack(pady=(12, 6))
    style = ttk.Style(root)
    style.configure("Green.Horizontal.TProgressbar", background="#00c000")
    bar = ttk.Progressbar(root, length=240, value=70, style="Green.Horizontal.TProgressbar")
    bar.pack(pady=6)
    canvas = tkinter.Canvas(root, width=240, height=90, background="white", highlightthickness=0)
    canvas.create_rectangle(10, 10, 110, 80, fill="#ff0000", outline="")
    canvas.create_oval(130, 10, 230, 80, fill="#0000ff", outline="")
    canvas.pack(pady=6)

    def clicked():
        print("clicked", flush=True)
        root.destroy()

    button = tkinter.Button(root, text="Quit", command=clicked)
    button.pack(pady=6)
    root.after(60000, lambda: os._exit(3))
    root.update()
    late = tkinter.Tcl()  # Tcl first, Tk later: loadtk() must find Tk's library too
    late.loadtk()
    late_tk_library = late.tk.eval("set tk_library")
    late.destroy()
    print(json.dumps({
        "window": rect(root), "label": rect(label), "bar": rect(bar), "canvas": rect(canvas), "button": rect(button),
        "themes": sorted(style.theme_names()), "tk_library": root.tk.eval("set tk_library"), "late_tk_library": late_tk_library,
        "tcl_library": root.tk.eval("info library"),
        "environ": {k: os.environ.get(k) for k in ("TCL_LIBRARY", "TK_LIBRARY")}, "child": child_env(),
    }), flush=True)
    root.mainloop()


if __name__ == "__main__":
    tcl_only() if sys.argv[1:] == ["tcl"] else window()

# PyFreeze runtime hook for _tkinter (runs before the app; imports nothing of Tcl/Tk here).
# __pyfreeze__ holds the build's facts: "tcl_library" and "tk_library" = the bundled Tcl and Tk script libraries
# (init.tcl, tk.tcl, encodings, msgs, ttk), relative to the unpacked root. Tcl and Tk find them through TCL_LIBRARY and
# TK_LIBRARY, which are set only while _tkinter loads and while a Tcl interpreter is created (the bundled libtcl must
# read its own scripts, whatever the user's variables say), then put back as they were: programs the app starts
# never see them. Tcl modules kept inside the library folder are put on Tcl's module path. A Tcl interpreter made
# without Tk (tkinter.Tcl()) gets tk_library set, so a later loadtk() finds Tk.
import os
import sys


def _pyfreeze_tkinter(facts):
    libraries = {}
    for var, key in (("TCL_LIBRARY", "tcl_library"), ("TK_LIBRARY", "tk_library")):
        if facts.get(key):
            libraries[var] = os.path.join(facts["root"], facts[key])
    if not libraries:
        return

    def scoped(call, *args, **kwargs):
        env = os.environ
        saved = {var: env.get(var) for var in libraries}
        env.update(libraries)
        try:
            return call(*args, **kwargs)
        finally:
            for var, value in saved.items():
                if value is None:
                    env.pop(var, None)
                else:
                    env[var] = value

    def wrap(module):
        create = module.create
        tk_library = libraries.get("TK_LIBRARY")

        def create_with_libraries(*args, **kwargs):
            app = scoped(create, *args, **kwargs)
            # Tcl modules (msgcat, http, tcltest: *.tm) kept inside the library folder, as Debian does (its tm.tcl
            # names the build machine's folder); the upstream layout (tcl8/8.x beside the library) is found by Tcl.
            try:
                app.eval("apply {{} {set d [file join [info library] tcl8]; "
                         "if {[file isdirectory $d]} {catch {::tcl::tm::path add $d}}}}")
                if tk_library and not int(app.call("info", "exists", "tk_library")):
                    app.call("set", "tk_library", tk_library)
            except Exception:  # noqa: BLE001 (a safe or unusual interpreter: it keeps Tcl's own search)
                pass
            return app

        create_with_libraries.__doc__ = create.__doc__
        create_with_libraries.__name__ = "create"
        module.create = create_with_libraries

    if "_tkinter" in sys.modules:
        wrap(sys.modules["_tkinter"])
        return

    class TkinterFinder:
        """Loads _tkinter (whose init runs Tcl_FindExecutable) with the libraries set, then wraps create()."""

        def find_spec(self, name, path=None, target=None):
            if name != "_tkinter":
                return None
            sys.meta_path.remove(self)
            for finder in sys.meta_path:
                spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
                if spec is not None:
                    break
            else:
                return None
            loader = spec.loader
            create_module, exec_module = loader.create_module, loader.exec_module

            def create(spec):
                return scoped(create_module, spec)

            def execute(module):
                scoped(exec_module, module)
                wrap(module)

            loader.create_module = create
            loader.exec_module = execute
            return spec

    sys.meta_path.insert(0, TkinterFinder())


_pyfreeze_tkinter(__pyfreeze__)  # noqa: F821 (given by the boot module)

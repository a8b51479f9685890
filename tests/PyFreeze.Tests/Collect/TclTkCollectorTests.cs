using PyFreeze.Collect;
using PyFreeze.Diagnostics;
using PyFreeze.Probe;
using PyFreeze.Tests.Binaries;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Collect;

/// <summary>
/// Finding the Tcl and Tk script libraries for tkinter at build time, and the build errors when Tcl/Tk are not
/// installed: the real Debian python asked, and asked again with its Tcl library hidden (bubblewrap), plus the
/// decisions on folders made for the purpose.
/// </summary>
public class TclTkCollectorTests
{
    private const string DebianTkinter = "glob:/usr/lib/python3*/lib-dynload/_tkinter*.so";

    private static InterpreterInfo Python(string exe) => new() { Executable = exe, RealExecutable = exe };

    [FactRequires(DebianTkinter)]
    public void Debian_python_names_its_Tcl_library_and_Tk_is_found_beside_it()
    {
        var query = InterpreterProbe.Run(Pythons.Debian).Tcl!;
        Assert.Null(query.Error);
        Assert.Equal("8.6", query.Version);
        Assert.True(File.Exists(Path.Combine(query.Library!, "init.tcl")), query.Library);
        var found = TclTkCollector.Locate(query, "/usr/lib/x86_64-linux-gnu/libtcl8.6.so", "/usr/lib/x86_64-linux-gnu/libtk8.6.so", needTk: true);
        Assert.Equal(Path.GetFullPath(query.Library!), found.TclLibrary);
        Assert.True(File.Exists(Path.Combine(found.TkLibrary!, "tk.tcl")), found.TkLibrary);
        Assert.Equal("8.6", found.Version);
    }

    [FactRequires(DebianTkinter, "tool:bwrap")]
    public void Real_python_whose_Tcl_scripts_are_not_installed_fails_the_build_naming_the_packages()
    {
        // The real interpreter and the real libtcl, with the Tcl/Tk script folder hidden as on a machine that has the
        // libraries but not their scripts.
        using var t = new TempDir("tcltk");
        var info = InterpreterProbe.Run(Pythons.Debian).Tcl!;
        var hidden = Path.GetDirectoryName(info.Library!)!;
        var wrapper = t.Write("python3", $"#!/bin/sh\nexec bwrap --dev-bind / / --tmpfs {hidden} -- {Pythons.Debian} \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);
        var query = InterpreterProbe.Run(wrapper).Tcl!;
        Assert.Null(query.Library);
        Assert.Contains("init.tcl", query.Error);
        var e = Assert.Throws<PyFreezeException>(() => TclTkCollector.Locate(query, null, null, needTk: true));
        Assert.Contains("Tcl script library (init.tcl)", e.Message);
        Assert.Contains("tcl8.6", e.Message);
        Assert.Contains("python3-tk", e.Message);
    }

    [Fact]
    public void A_missing_libtk_is_a_build_error_naming_the_packages()
    {
        var e = Assert.Throws<PyFreezeException>(() =>
            TclTkCollector.CheckLibrariesFound([("libz.so.1", "x.so"), ("libtk8.6.so", "_tkinter.cpython-311-x86_64-linux-gnu.so")]));
        Assert.StartsWith("libtk8.6.so (needed by _tkinter.cpython-311-x86_64-linux-gnu.so) is not installed", e.Message);
        Assert.Contains("tk8.6", e.Message);
        Assert.Contains("python3-tk", e.Message);
        TclTkCollector.CheckLibrariesFound([("libz.so.1", "x.so")]); // other missing libraries are warnings elsewhere
    }

    [Fact]
    public void A_Tcl_library_folder_without_init_tcl_is_a_build_error()
    {
        using var t = new TempDir("tcltk");
        Directory.CreateDirectory(t["share/tcl8.6"]);
        var e = Assert.Throws<PyFreezeException>(() => TclTkCollector.Locate(new TclQuery(t["share/tcl8.6"], "8.6", null), null, null, needTk: false));
        Assert.Contains($"{t["share/tcl8.6"]} has no init.tcl", e.Message);
        Assert.Contains("apt-get install tcl8.6 tk8.6 python3-tk", e.Message);
    }

    [Fact]
    public void Tk_library_is_looked_for_beside_Tcl_and_beside_libtk_and_its_absence_is_an_error()
    {
        using var t = new TempDir("tcltk");
        t.Write("share/tcl8.6/init.tcl", "");
        var query = new TclQuery(t["share/tcl8.6"], null, null);
        var e = Assert.Throws<PyFreezeException>(() => TclTkCollector.Locate(query, null, t["lib/libtk8.6.so"], needTk: true));
        Assert.Contains("Tk script library (tk.tcl) was not found", e.Message);
        Assert.Contains(t["share/tk8.6"], e.Message);
        Assert.Contains("python3-tk", e.Message);
        Assert.Null(TclTkCollector.Locate(query, null, null, needTk: false).TkLibrary); // Tcl alone needs no Tk

        t.Write("lib/tk8.6/tk.tcl", "");
        var found = TclTkCollector.Locate(query, t["lib/libtcl8.6.so"], t["lib/libtk8.6.so"], needTk: true);
        Assert.Equal(t["lib/tk8.6"], found.TkLibrary);
        Assert.Equal("8.6", found.Version); // from libtcl's name when Tcl did not say
        t.Write("share/tk8.6/tk.tcl", "");
        Assert.Equal(t["share/tk8.6"], TclTkCollector.Locate(query, null, t["lib/libtk8.6.so"], needTk: true).TkLibrary);
    }

    [Fact]
    public void Script_libraries_go_under_the_runtime_library_folder_with_facts_for_the_runtime_hook()
    {
        using var t = new TempDir("tcltk");
        t.Write("share/tcl8.6/init.tcl", "");
        t.Write("share/tcl8.6/encoding/iso8859-2.enc", "");
        t.Write("share/tcl8.6/tclAppInit.c", "");
        t.Write("share/tcl8/8.5/msgcat-1.6.1.tm", "");
        t.Write("share/tk8.6/tk.tcl", "");
        t.Write("share/tk8.6/ttk/clamTheme.tcl", "");
        t.Write("share/tk8.6/demos/widget", "");
        var plan = new CollectPlanBuilder();
        var layout = new RuntimeLayout { Interpreter = "python/bin/app", Stdlib = "python/lib/python3.11/", Dynload = "python/lib/python3.11/lib-dynload/", Libraries = "python/lib/" };
        TclTkCollector.Add(plan, new TclTkLibraries(t["share/tcl8.6"], t["share/tk8.6"], "8.6"), layout);
        Assert.Equal(
            ["python/lib/tcl8.6/encoding/iso8859-2.enc", "python/lib/tcl8.6/init.tcl", "python/lib/tcl8/8.5/msgcat-1.6.1.tm",
             "python/lib/tk8.6/tk.tcl", "python/lib/tk8.6/ttk/clamTheme.tcl"],
            plan.Entries.Select(e => e.Dest).Order(StringComparer.Ordinal));
        Assert.Equal("python/lib/tcl8.6", plan.Facts["tcl_library"]);
        Assert.Equal("python/lib/tk8.6", plan.Facts["tk_library"]);
        Assert.Equal(["tcl8.6", "tcl8", "tk8.6"], plan.ScriptLibraries.Select(l => l.Name));
    }
}

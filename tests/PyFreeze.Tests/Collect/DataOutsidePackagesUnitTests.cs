using System.Text;
using PyFreeze.Collect;
using PyFreeze.Tests.Binaries;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Collect;

/// <summary>The rules behind the collection of data outside packages (issue 20, cause 5), on real Debian files and on
/// made ones: the typelib header, <c>gi.require_version</c> literals, Debian's /usr/share links.</summary>
[Trait("Lane", "Fast")]
public class DataOutsidePackagesUnitTests
{
    private const string Typelibs = "/usr/lib/x86_64-linux-gnu/girepository-1.0";

    [FactRequires("/usr/lib/x86_64-linux-gnu/girepository-1.0/Gio-2.0.typelib")]
    public void Real_typelib_headers_name_their_namespace_dependencies_and_libraries()
    {
        var gio = TypelibHeader.Read(File.ReadAllBytes(Path.Combine(Typelibs, "Gio-2.0.typelib")));
        Assert.Equal(("Gio", "2.0"), (gio.Namespace, gio.Version));
        Assert.Equal(["GObject-2.0"], gio.Dependencies);
        Assert.Equal(["libgio-2.0.so.0"], gio.SharedLibraries);
        var glib = TypelibHeader.Read(File.ReadAllBytes(Path.Combine(Typelibs, "GLib-2.0.typelib")));
        Assert.Empty(glib.Dependencies); // offset 0: none
        Assert.Equal(["libgobject-2.0.so.0", "libglib-2.0.so.0"], glib.SharedLibraries);
    }

    [Fact]
    public void A_made_header_with_several_dependencies_is_split_and_a_file_that_is_no_typelib_is_refused()
    {
        var data = new byte[128];
        Encoding.ASCII.GetBytes("GOBJ\nMETADATA\r\n\u001a").CopyTo(data, 0);
        void Str(int field, int at, string s)
        {
            BitConverter.GetBytes((uint)at).CopyTo(data, field);
            Encoding.ASCII.GetBytes(s).CopyTo(data, at);
        }
        Str(36, 64, "GLib-2.0|GObject-2.0");
        Str(44, 90, "Foo");
        Str(48, 96, "1.0");
        Str(52, 100, "libfoo.so.1,libbar.so.2");
        var h = TypelibHeader.Read(data);
        Assert.Equal(("Foo", "1.0"), (h.Namespace, h.Version));
        Assert.Equal(["GLib-2.0", "GObject-2.0"], h.Dependencies);
        Assert.Equal(["libfoo.so.1", "libbar.so.2"], h.SharedLibraries);
        Assert.Throws<InvalidDataException>(() => TypelibHeader.Read("#!/bin/sh\n"u8.ToArray().Concat(new byte[64]).ToArray()));
        BitConverter.GetBytes(4096u).CopyTo(data, 44);
        Assert.Contains("outside the file", Assert.Throws<InvalidDataException>(() => TypelibHeader.Read(data)).Message);
    }

    [Fact]
    public void Require_version_literals_are_read_bare_or_after_gi_and_others_are_not()
    {
        var versions = TypelibCollector.RequireVersions("""
            import gi
            gi.require_version("Gtk", '3.0')
            require_version("Notify",
                            "0.7")
            # gi.require_version("Commented", "1.0")
            gi.require_version(name, "2.0")
            gi.require_version_other("X", "1.0")
            text = 'gi.require_version("InString", "1.0")'
            """);
        Assert.Equal(new Dictionary<string, string> { ["Gtk"] = "3.0", ["Notify"] = "0.7" }, versions);
    }

    [FactRequires("/usr/lib/python3/dist-packages/babel/locale-data")]
    public void Debians_babel_links_into_usr_share_and_a_plain_file_is_no_such_link()
    {
        Assert.True(DebianShareData.IsShareLink("/usr/lib/python3/dist-packages/babel/locale-data"));
        Assert.True(DebianShareData.IsShareLink("/usr/lib/python3/dist-packages/babel/global.dat"));
        Assert.False(DebianShareData.IsShareLink("/usr/lib/python3/dist-packages/babel/__init__.py"));
        Assert.False(DebianShareData.IsShareLink("/no/such/file"));
    }

    [Fact]
    public void A_link_elsewhere_is_no_usr_share_link()
    {
        using var t = new TempDir("sharelink");
        var target = Path.Combine(t.Path, "real");
        Directory.CreateDirectory(target);
        var link = Path.Combine(t.Path, "link");
        Directory.CreateSymbolicLink(link, target);
        Assert.False(DebianShareData.IsShareLink(link));
        Assert.Contains("zoneinfo", DebianShareData.SystemFolders); // pytz's /usr/share/zoneinfo is every system's
    }

    [Fact]
    public void A_file_at_a_destination_that_is_also_a_folder_is_left_out_with_a_warning()
    {
        var plan = new CollectPlanBuilder { EntryModule = "__main__", Interpreter = "python/bin/app" };
        plan.Add(new PayloadEntry { Dest = "app/flask", Kind = PayloadEntryKind.File, Source = "/usr/bin/flask", Category = PayloadCategory.Data, Owner = "(app)" });
        plan.Add(new PayloadEntry { Dest = "app/flask/__init__.pyc", Kind = PayloadEntryKind.Module, Source = "/x/flask/__init__.py", Category = PayloadCategory.Module, Owner = "flask" });
        plan.Add(new PayloadEntry { Dest = "app/empty", Kind = PayloadEntryKind.Directory, Category = PayloadCategory.Data, Owner = "(app)" });
        plan.Add(new PayloadEntry { Dest = "app/empty/x.txt", Kind = PayloadEntryKind.File, Source = "/x/empty/x.txt", Category = PayloadCategory.Data, Owner = "(app)" });
        var built = plan.Build();
        Assert.Equal(["app/flask/__init__.pyc", "app/empty", "app/empty/x.txt"], built.Entries.Select(e => e.Dest));
        Assert.Equal(["app/flask"], built.Conflicts.Select(e => e.Dest));
        Assert.Contains(built.Warnings, w => w.StartsWith("/usr/bin/flask: would be unpacked at app/flask, which is also a folder", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/usr/bin", null, true)]
    [InlineData("/usr/local/bin/", null, true)]
    [InlineData("/home/u/.local/pipx/venvs/x/bin", "/usr/bin:/home/u/.local/pipx/venvs/x/bin", true)]
    [InlineData("/home/u/project", "/usr/bin:/home/u/project/bin:relative", false)]
    [InlineData("/home/u/project", "/usr/bin::.", false)]
    public void Folders_of_programs_are_the_system_bin_folders_and_those_on_PATH(string dir, string? path, bool expected) =>
        Assert.Equal(expected, AppDataCollector.IsProgramFolder(dir, path));
}

using PyFreeze.Analyze;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Analyze;

/// <summary>Folders an app adds to sys.path itself are searched like --paths: the literal forms, and an app run frozen.</summary>
public class SysPathAdditionsTests
{
    [Fact]
    public void Literals_in_sys_path_calls_name_existing_folders()
    {
        using var t = new TempDir("syspath");
        foreach (var d in new[] { "app/lib", "app/vendor", "shared/plugins", "app/site" })
            Directory.CreateDirectory(t[d]);
        var app = t["app"];
        var source = """
            import os, sys, site
            from pathlib import Path
            sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
            sys.path.append(str(Path(__file__).parent / 'vendor'))
            sys.path.insert(
                0, os.path.join(os.path.dirname(__file__), "..", "shared", "plugins"))
            site.addsitedir("site")
            sys.path.append(os.path.join(HERE, "absent"))
            sys.path.append(f"{HERE}/lib2")
            print("lib is not a call")
            """;
        var found = SysPathAdditions.InSource(source, app).ToList();
        Assert.Equal([t["app/lib"], t["app/vendor"], t["shared/plugins"], t["app/site"]], found);
    }

    [Fact]
    public void A_bare_dot_or_parent_alone_is_not_a_folder_to_search()
    {
        using var t = new TempDir("syspath");
        Directory.CreateDirectory(t["app"]);
        Assert.Empty(SysPathAdditions.InSource("import sys\nsys.path.insert(0, '..')\nsys.path.append('.')\n", t["app"]));
    }

    [Theory]
    [MemberData(nameof(Pythons.All), MemberType = typeof(Pythons))]
    public void An_app_that_extends_sys_path_runs_frozen(string python)
    {
        var app = Apps.Get("syspath", "syspath_app.py", python);
        var run = Apps.NewSandbox().Run(app.Executable, []);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("{\"other\": 42, \"thing\": \"vendored\"} plugin greets frozen", run.StdOut);
    }
}

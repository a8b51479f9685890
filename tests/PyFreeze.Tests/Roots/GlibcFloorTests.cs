using PyFreeze.Tests.Binaries;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Roots;

/// <summary>
/// The glibc floor, with a real newer glibc: an app frozen inside the trixie root (Python 3.13, glibc 2.41) runs there
/// with the root's Python hidden, and on this machine (Debian 12, glibc 2.36) the bootloader stops before unpacking with
/// one line naming the glibc it needs and the one it found, instead of the loader's "GLIBC_2.38 not found".
/// </summary>
[Trait("Roots", "host")]
public class GlibcFloorTests
{
    [FactRequires("host")] // it drives the root from outside
    public void A_trixie_build_says_which_glibc_it_needs_on_this_older_one()
    {
        var root = DebianRoots.Get("trixie");
        using var t = new TempDir("glibc");
        var entry = Apps.Entry("hello", "hello.py");
        var build = DebianRoots.Exec(root, [t.Path], [.. DebianRoots.Pyfreeze, "build", entry, "--distpath", t["dist"], "--workpath", t["build"],
            "--json", t["report.json"]]);
        Assert.True(build.ExitCode == 0, build.ToString());
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(t["report.json"]));
        var floor = report.RootElement.GetProperty("glibc").GetProperty("minimum").GetString()!;
        var exe = t["dist/hello"];

        var inside = DebianRoots.Exec(root, [t.Path], [Repo.RunWithoutPython, "--bind", t.Path, "env", $"PYFREEZE_CACHE_DIR={t["cache-root"]}", exe, "Ada"]);
        Assert.True(inside.ExitCode == 3 && inside.StdOut.Contains("argv: ['Ada']\nfrozen: True\n"), inside.ToString()); // hello exits 3

        var host = Proc.Exec(exe, ["Ada"], env: new Dictionary<string, string?> { ["PYFREEZE_CACHE_DIR"] = t["cache-host"] });
        Assert.Equal(255, host.ExitCode);
        var lines = host.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, host.ToString());
        var here = Proc.Exec("ldd", ["--version"]).StdOut.Split('\n')[0].Split(' ').Last();
        Assert.Equal($"hello: error: this app needs glibc {floor} or newer (its python3.13 was built against it); this system has glibc {here}: " +
                     $"run it on a newer system, or build it on one with glibc {here} or older", lines[0]);
        Assert.True(Version.Parse(floor) > Version.Parse(here), $"the trixie build's floor {floor} should be above this machine's {here}");
        Assert.False(Directory.Exists(t["cache-host"]) && Directory.EnumerateFileSystemEntries(t["cache-host"], "*", SearchOption.AllDirectories).Any(),
            "nothing unpacked on a system the app cannot run on");
        Assert.Empty(host.StdOut);
    }
}

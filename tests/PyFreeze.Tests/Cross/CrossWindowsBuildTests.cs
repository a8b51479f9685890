using PyFreeze.Binaries;
using PyFreeze.Build;
using PyFreeze.Diagnostics;
using PyFreeze.Inspect;
using FactRequiresAttribute = PyFreeze.Tests.Binaries.FactRequiresAttribute;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cross;

/// <summary>
/// <c>--target win-x64 --runtime ARCHIVE</c> from this Linux host: the analysis resolves against the runtime's standard
/// library and the target's site-packages with Windows' extension suffixes, bytecode comes from a host CPython of the
/// same version, DLLs are found through PE import tables, and bad runtimes fail with one clear line and nothing in dist/.
/// </summary>
public class CrossWindowsBuildTests(WindowsRuntimeFixture runtimes) : IClassFixture<WindowsRuntimeFixture>
{
    private const string App = """
        import json
        import _standin
        import winpkg
        import fastext
        print(json.dumps({"ok": True}))
        """;

    private static BuildResult Build(TempDir t, string? runtime, Func<BuildOptions, BuildOptions>? more = null, string? python = Pythons.Debian)
    {
        var entry = t.Write("app/app.py", App);
        t.Write("winsite/winpkg/__init__.py", "import ntpath\n");
        File.WriteAllBytes(t["winsite/fastext.cp311-win_amd64.pyd"], []);
        var options = new BuildOptions
        {
            Entry = entry,
            Python = python,
            DistPath = t["dist"],
            WorkPath = t["build"],
            Target = "win-x64",
            Runtime = runtime,
            TargetSitePackages = [t["winsite"]],
            Log = new Log(LogLevel.Warn, TextWriter.Null),
        };
        return new BuildPipeline(more is null ? options : more(options)).Run();
    }

    [FactRequires("tool:" + WindowsRuntimeFixture.Gcc)]
    public void Cross_win_x64_from_a_python_build_standalone_archive()
    {
        using var t = new TempDir("xwin");
        // fastext.cp311-win_amd64.pyd must be a PE for the DLL walk: use the stand-in extension module.
        var result = Build(t, runtimes.PbsArchive(), o =>
        {
            File.Copy(runtimes.Bin("_standin.pyd"), t["winsite/fastext.cp311-win_amd64.pyd"], true);
            return o;
        });

        Assert.Equal(t["dist/app.exe"], result.Executable);
        var pe = PeFile.Read(result.Executable);
        Assert.True(pe.IsPe32Plus);
        Assert.Equal("x64", pe.MachineName);
        Assert.Equal(PeSubsystem.WindowsConsole, pe.Subsystem);

        var app = AppInspector.Inspect(result.Executable);
        Assert.True(app.PayloadIntact);
        Assert.Equal("inprocess", app.Settings.LaunchMode);
        Assert.Equal("python/python311.dll", app.Settings.PythonLibrary);
        Assert.Equal("win-x64", app.BuildInfo!.Value.GetProperty("rid").GetString());
        var files = app.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[]
                 {
                     "python/python311.dll", "python/python311._pth", "python/pyfreeze_standin_dep.dll", "python/boot.pyc",
                     "python/Lib/json/__init__.pyc", "python/Lib/json/decoder.pyc", "python/Lib/encodings/cp1252.pyc",
                     "python/DLLs/_standin.pyd", "app/winpkg/__init__.pyc", "app/fastext.cp311-win_amd64.pyd", "app/app.pyc",
                 })
            Assert.Contains(expected, files);
        Assert.DoesNotContain(files, f => f.EndsWith(".so", StringComparison.Ordinal) || f.Contains("lib-dynload", StringComparison.Ordinal));
        Assert.DoesNotContain(files, f => f.Contains("posixpath", StringComparison.Ordinal) && f.StartsWith("python/bin", StringComparison.Ordinal));

        // Bytecode by the host CPython 3.11 (its magic), the stdlib from the runtime archive.
        var extracted = t["x"];
        AppInspector.Extract(app, extracted);
        var magic = Convert.ToHexStringLower(File.ReadAllBytes(Path.Combine(extracted, "python/Lib/json/__init__.pyc"))[..4]);
        Assert.Equal(result.Analysis.Interpreter.Magic, magic);
        Assert.Equal("win32", result.Analysis.Interpreter.Platform);
        Assert.Equal("Lib\r\nDLLs\r\n", File.ReadAllText(Path.Combine(extracted, "python/python311._pth")));
        Assert.Contains(result.Plan.Libraries, l => l.Name == "pyfreeze_standin_dep.dll");
    }

    [FactRequires("tool:" + WindowsRuntimeFixture.Gcc)]
    public void Cross_win_x64_from_an_embeddable_zip_finds_the_host_compiler_itself()
    {
        using var t = new TempDir("xemb");
        var host = Probe.InterpreterProbe.Run(Pythons.Debian);
        // No --python: a CPython 3.11 is looked for (python3.11 on PATH) because the runtime is 3.11.
        var result = Build(t, runtimes.EmbeddableZip(host.Magic), python: null);
        Assert.Equal(11, result.Analysis.Interpreter.Minor);
        var files = AppInspector.Inspect(result.Executable).Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("python/python311.dll", files);
        Assert.Contains("python/DLLs/_standin.pyd", files);
        Assert.Contains("python/Lib/json/__init__.pyc", files);
    }

    [Fact]
    public void Cross_target_without_runtime_is_a_clear_error()
    {
        using var t = new TempDir("xerr");
        var e = Assert.Throws<PyFreezeException>(() => Build(t, null));
        Assert.Contains("--runtime", e.Message);
        Assert.Contains("win-x64", e.Message);
        Assert.Equal(2, e.ExitCode);
        AssertDistEmpty(t);
    }

    [FactRequires("tool:" + WindowsRuntimeFixture.Gcc)]
    public void Cross_bad_runtimes_fail_with_one_line_and_leave_dist_empty()
    {
        using var t = new TempDir("xbad");

        var linux = Assert.Throws<PyFreezeException>(() => Build(t, runtimes.LinuxArchive()));
        Assert.Contains("Linux", linux.Message);
        Assert.Contains("not for win-x64", linux.Message);

        var corrupt = t["cpython-3.11.9+20240726-x86_64-pc-windows-msvc-install_only.tar.gz"];
        var good = File.ReadAllBytes(runtimes.PbsArchive());
        File.WriteAllBytes(corrupt, good[..(good.Length / 2)]);
        var c = Assert.Throws<PyFreezeException>(() => Build(t, corrupt));
        Assert.Contains("corrupted", c.Message);

        var notArchive = t.Write("runtime.tar.gz", "hello");
        Assert.Contains("neither a .tar.gz nor a .zip", Assert.Throws<PyFreezeException>(() => Build(t, notArchive)).Message);

        var sum = Assert.Throws<PyFreezeException>(() => Build(t, runtimes.PbsArchive(), o => o with { RuntimeSha256 = new string('0', 64) }));
        Assert.Contains("SHA-256", sum.Message);
        Assert.Contains(new string('0', 64), sum.Message);

        var version = Assert.Throws<PyFreezeException>(() => Build(t, runtimes.PbsArchive(minor: 12)));
        Assert.Contains("CPython 3.11", version.Message);
        Assert.Contains("CPython 3.12", version.Message);

        var none = Assert.Throws<PyFreezeException>(() => Build(t, runtimes.PbsArchive(minor: 14), python: null));
        Assert.Contains("no CPython 3.14 was found", none.Message);

        var magic = Assert.Throws<PyFreezeException>(() => Build(t, runtimes.PbsArchive(pycMagic: "deadbeef")));
        Assert.Contains("deadbeef", magic.Message);

        foreach (var e in new[] { linux, c, sum, version, none, magic })
            Assert.DoesNotContain('\n', e.Message);
        AssertDistEmpty(t);
    }

    private static void AssertDistEmpty(TempDir t) =>
        Assert.True(!Directory.Exists(t["dist"]) || !Directory.EnumerateFileSystemEntries(t["dist"]).Any(),
            "dist/ holds: " + string.Join(", ", Directory.Exists(t["dist"]) ? Directory.EnumerateFileSystemEntries(t["dist"]) : []));
}

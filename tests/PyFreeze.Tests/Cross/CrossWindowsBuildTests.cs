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

    private static BuildResult Build(TempDir t, string? runtime, Func<BuildSettings, BuildSettings>? more = null, string? python = Pythons.Debian)
    {
        var entry = t.Write("app/app.py", App);
        t.Write("winsite/winpkg/__init__.py", "import ntpath\n");
        File.WriteAllBytes(t["winsite/fastext.cp311-win_amd64.pyd"], []);
        var options = new BuildSettings
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

        var x86 = Assert.Throws<PyFreezeException>(() => Build(t, runtimes.X86Archive()));
        Assert.Contains("python311.dll is for x86, not win-x64", x86.Message);

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

        var errors = new List<PyFreezeException> { linux, x86, c, sum, version, none, magic };
        if (Pythons.PyenvVersion("3.13.0") is { } py313)
        {
            // the newer versions too: a 3.13 --python against a 3.14 runtime, and against a 3.13 runtime whose .pyc files
            // carry 3.14's magic number (3627: 0x2b0e0d0a)
            var newer = Assert.Throws<PyFreezeException>(() => Build(t, runtimes.PbsArchive(minor: 14), python: py313));
            Assert.Contains("is CPython 3.13.0 (bytecode magic f30d0d0a), but the win-x64 runtime is CPython 3.14", newer.Message);
            var newerMagic = Assert.Throws<PyFreezeException>(() => Build(t, runtimes.PbsArchive(minor: 13, pycMagic: "2b0e0d0a"), python: py313));
            Assert.Contains("with bytecode magic f30d0d0a, but the win-x64 runtime's bytecode has magic 2b0e0d0a", newerMagic.Message);
            errors.AddRange([newer, newerMagic]);
        }
        foreach (var e in errors)
            Assert.DoesNotContain('\n', e.Message);
        AssertDistEmpty(t);
    }

    /// <summary>An .ico with a 16×16 32-bit bitmap image and a PNG image.</summary>
    internal static byte[] Ico()
    {
        var dib = new byte[40 + 16 * 16 * 4 + 16 * 4];
        BitConverter.GetBytes(40).CopyTo(dib, 0);
        BitConverter.GetBytes(16).CopyTo(dib, 4);
        BitConverter.GetBytes(32).CopyTo(dib, 8); // height × 2 (XOR and AND masks)
        BitConverter.GetBytes((ushort)1).CopyTo(dib, 12);
        BitConverter.GetBytes((ushort)32).CopyTo(dib, 14);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0, 0, 0, 1, 0, 8, 6, 0, 0, 0];
        using var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        w.Write((ushort)0); w.Write((ushort)1); w.Write((ushort)2);
        w.Write((byte)16); w.Write((byte)16); w.Write((byte)0); w.Write((byte)0); w.Write((ushort)1); w.Write((ushort)32);
        w.Write(dib.Length); w.Write(6 + 32);
        w.Write((byte)0); w.Write((byte)0); w.Write((byte)0); w.Write((byte)0); w.Write((ushort)1); w.Write((ushort)32);
        w.Write(png.Length); w.Write(6 + 32 + dib.Length);
        w.Write(dib); w.Write(png);
        return ms.ToArray();
    }

    [FactRequires("tool:" + WindowsRuntimeFixture.Gcc)]
    public void Cross_win_x64_icon_version_resources_and_gui_subsystem()
    {
        using var t = new TempDir("xres");
        File.WriteAllBytes(t["app.ico"], Ico());
        t.Write("version.json", """{"LegalCopyright": "(c) Example", "FileDescription": "Résumé tool"}""");
        var result = Build(t, runtimes.PbsArchive(), o => o with
        {
            Windowed = true, Icon = t["app.ico"], VersionFile = t["version.json"], Company = "Example Corp", ProductVersion = "1.2.3",
        });

        var pe = PeFile.Read(result.Executable);
        Assert.True(pe.IsPe32Plus);
        Assert.Equal(PeSubsystem.WindowsGui, pe.Subsystem);
        Assert.Equal(2, pe.Resources.Count(r => r.Type == "#3"));
        var group = Assert.Single(pe.Resources, r => r.Type == "#14");
        var groupBytes = ReadAt(result.Executable, group);
        Assert.Equal(2, BitConverter.ToUInt16(groupBytes, 4));
        var version = Assert.Single(pe.Resources, r => r.Type == "#16");
        var v = ReadAt(result.Executable, version);
        Assert.Equal(v.Length, BitConverter.ToUInt16(v, 0));
        var fixedAt = v.AsSpan().IndexOf(BitConverter.GetBytes(0xFEEF04BDu));
        Assert.True(fixedAt > 0);
        Assert.Equal((1u << 16) | 2, BitConverter.ToUInt32(v, fixedAt + 8)); // FileVersion 1.2.3.0
        Assert.Equal(3u << 16, BitConverter.ToUInt32(v, fixedAt + 12));
        var text = System.Text.Encoding.Unicode.GetString(v).Replace("\0\0", "\0"); // padding after a key is NULs
        foreach (var expected in new[] { "VS_VERSION_INFO", "CompanyName\0Example Corp", "ProductVersion\01.2.3", "LegalCopyright\0(c) Example", "Résumé tool", "OriginalFilename\0app.exe" })
            Assert.Contains(expected, text);

        var app = AppInspector.Inspect(result.Executable);
        Assert.True(app.PayloadIntact);
        Assert.True(app.Settings.Windowed);
        Assert.Contains(app.Files, f => f.Path == "python/python311.dll");
    }

    [FactRequires("tool:" + WindowsRuntimeFixture.Gcc)]
    public void Cross_win_x64_pyinstaller_version_file_lands_in_the_pe_version_resource()
    {
        using var t = new TempDir("xpyiver");
        File.Copy(Repo.Path_("tests", "PyFreeze.Tests", "Fixtures", "cross", "file_version_info.txt"), t["file_version_info.txt"]);
        var result = Build(t, runtimes.PbsArchive(), o => o with { VersionFile = t["file_version_info.txt"] });

        var pe = PeFile.Read(result.Executable);
        var v = ReadAt(result.Executable, Assert.Single(pe.Resources, r => r.Type == "#16"));
        Assert.Equal(v.Length, BitConverter.ToUInt16(v, 0));
        var fixedAt = v.AsSpan().IndexOf(BitConverter.GetBytes(0xFEEF04BDu));
        Assert.True(fixedAt > 0);
        Assert.Equal((4u << 16) | 12, BitConverter.ToUInt32(v, fixedAt + 8)); // filevers=(4, 12, 605, 3)
        Assert.Equal((605u << 16) | 3, BitConverter.ToUInt32(v, fixedAt + 12));
        Assert.Equal((4u << 16) | 12, BitConverter.ToUInt32(v, fixedAt + 16)); // prodvers=(4, 12, 0, 0)
        Assert.Equal(0u, BitConverter.ToUInt32(v, fixedAt + 20));
        Assert.Equal(0x3Fu, BitConverter.ToUInt32(v, fixedAt + 24)); // mask
        Assert.Equal(2u, BitConverter.ToUInt32(v, fixedAt + 28)); // flags=0x2 (VS_FF_PRERELEASE)
        Assert.Equal(0x40004u, BitConverter.ToUInt32(v, fixedAt + 32));
        var text = System.Text.Encoding.Unicode.GetString(v).Replace("\0\0", "\0");
        foreach (var expected in new[] { "StringFileInfo", "040904B0", "CompanyName\0Acme Widgets, Inc.", "FileVersion\04.12.605.3 (release)",
                     "ProductName\0Acme's Widget Studio", "LegalCopyright\0© Acme Widgets", "OriginalFilename\0WidgetStudio.exe", "BuildPath\0C:\\build", "VarFileInfo" })
            Assert.Contains(expected, text);
        Assert.DoesNotContain("OriginalFilename\0app.exe", text); // the file's values, not the defaults
        Assert.True(v.AsSpan().IndexOf(new byte[] { 0x09, 0x04, 0xB0, 0x04 }) > 0); // Translation 1033, 1200

        // A broken file: one line naming the file and the line, before anything is written.
        Directory.Delete(t["dist"], true);
        t.Write("broken.txt", "# UTF-8\nVSVersionInfo(\n  ffi=FixedFileInfo(filevers=(1, 2, 3, 4), OS=os.name))\n");
        var e = Assert.Throws<PyFreezeException>(() => Build(t, runtimes.PbsArchive(), o => o with { VersionFile = t["broken.txt"] }));
        Assert.Equal(2, e.ExitCode);
        Assert.StartsWith($"--version-file {t["broken.txt"]}: line 3: ", e.Message);
        AssertDistEmpty(t);
    }

    [FactRequires("tool:" + WindowsRuntimeFixture.Gcc)]
    public void Cross_win_x64_bad_icon_and_version_fail_before_anything_is_written()
    {
        using var t = new TempDir("xbadres");
        File.WriteAllBytes(t["logo.png"], [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]);
        var png = Assert.Throws<PyFreezeException>(() => Build(t, runtimes.PbsArchive(), o => o with { Icon = t["logo.png"] }));
        Assert.Contains("not a Windows .ico file (it is a PNG image)", png.Message);
        t.Write("empty.ico", "");
        Assert.Contains("not a Windows .ico file", Assert.Throws<PyFreezeException>(() => Build(t, runtimes.PbsArchive(), o => o with { Icon = t["empty.ico"] })).Message);
        Assert.Contains("no such file", Assert.Throws<PyFreezeException>(() => Build(t, runtimes.PbsArchive(), o => o with { Icon = t["missing.ico"] })).Message);
        var version = Assert.Throws<PyFreezeException>(() => Build(t, runtimes.PbsArchive(), o => o with { ProductVersion = "1.x" }));
        Assert.Contains("--product-version 1.x", version.Message);
        t.Write("v.json", "{\"Company\": \"x\"}");
        Assert.Contains("unknown key Company", Assert.Throws<PyFreezeException>(() => Build(t, runtimes.PbsArchive(), o => o with { VersionFile = t["v.json"] })).Message);
        AssertDistEmpty(t);
    }

    [FactRequires("tool:" + WindowsRuntimeFixture.Gcc)]
    public void Cross_runtime_from_a_url_is_downloaded_once_and_pinned()
    {
        using var t = new TempDir("xurl");
        var archive = runtimes.PbsArchive();
        var bytes = File.ReadAllBytes(archive);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var prefix = $"http://127.0.0.1:{port}/{Guid.NewGuid():N}/";
        using var server = new System.Net.HttpListener();
        server.Prefixes.Add(prefix);
        server.Start();
        var served = 0;
        var loop = Task.Run(() =>
        {
            while (server.IsListening)
            {
                System.Net.HttpListenerContext c;
                try { c = server.GetContext(); } catch (Exception) { return; }
                if (c.Request.Url!.AbsolutePath.EndsWith("/" + Path.GetFileName(archive), StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref served);
                    c.Response.ContentLength64 = bytes.Length;
                    c.Response.OutputStream.Write(bytes);
                }
                else
                {
                    c.Response.StatusCode = 404;
                }
                c.Response.Close();
            }
        });
        var url = prefix + Path.GetFileName(archive);

        var first = Build(t, url);
        Assert.Equal(1, served);
        Assert.Contains(AppInspector.Inspect(first.Executable).Files, f => f.Path == "python/python311.dll");
        Build(t, url, o => o with { RuntimeSha256 = sha.ToUpperInvariant() });
        Assert.Equal(1, served); // the pinned checksum and the URL's last download both find the cached archive

        Directory.Delete(t["dist"], true);
        var wrong = Assert.Throws<PyFreezeException>(() => Build(t, prefix + "other/" + Path.GetFileName(archive), o => o with { RuntimeSha256 = new string('a', 64) }));
        Assert.Contains($"SHA-256 is {sha}, not {new string('a', 64)}", wrong.Message); // a download that is not the pinned archive
        Assert.Equal(2, served);
        var missing = $"http://127.0.0.1:{port}/{Guid.NewGuid():N}/x.tar.gz";
        Assert.Contains("download failed (HTTP 404", Assert.Throws<PyFreezeException>(() => Build(t, missing)).Message);
        Assert.Contains("not a SHA-256", Assert.Throws<PyFreezeException>(() => Build(t, url, o => o with { RuntimeSha256 = "abc" })).Message);
        server.Stop();
        loop.Wait(TimeSpan.FromSeconds(10));
        AssertDistEmpty(t);
    }

    [FactRequires("tool:" + WindowsRuntimeFixture.Gcc)]
    public void Cross_cli_builds_inspects_and_reports_bad_input_in_one_line()
    {
        using var t = new TempDir("xcli");
        var tool = Path.Combine(AppContext.BaseDirectory, "pyfreeze.dll");
        var entry = t.Write("app.py", "import json\n");
        Run Pyfreeze(params string[] args) => Proc.Exec("dotnet", [tool, .. args], cwd: t.Path, timeoutSeconds: 600);

        var noRuntime = Pyfreeze("build", entry, "--target", "win-x64", "--python", Pythons.Debian);
        Assert.Equal(2, noRuntime.ExitCode);
        var line = Assert.Single(noRuntime.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("pyfreeze: error: --target win-x64: building for another RID needs its CPython", line);

        File.WriteAllText(t["not.ico"], "GIF89a");
        var badIcon = Pyfreeze("build", entry, "--target", "win-x64", "--runtime", runtimes.PbsArchive(), "--python", Pythons.Debian, "--icon", t["not.ico"], "--log-level", "WARN");
        Assert.Equal(2, badIcon.ExitCode);
        Assert.Contains("not a Windows .ico file", Assert.Single(badIcon.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        AssertDistEmpty(t);

        File.WriteAllText(t["ver.txt"], "# UTF-8\nVSVersionInfo(\n  kids=[StringFileInfo([StringTable(u'0409', [])])])\n");
        var badVersion = Pyfreeze("build", entry, "--target", "win-x64", "--runtime", runtimes.PbsArchive(), "--python", Pythons.Debian, "--version-file", t["ver.txt"], "--log-level", "WARN");
        Assert.Equal(2, badVersion.ExitCode);
        Assert.Equal($"pyfreeze: error: --version-file {t["ver.txt"]}: line 3: StringTable '0409': its name must be 8 hex digits, language then code page, e.g. '040904B0'",
            Assert.Single(badVersion.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        AssertDistEmpty(t);

        var ok = Pyfreeze("build", entry, "--target", "win-x64", "--runtime", runtimes.PbsArchive(), "--python", Pythons.Debian,
            "--company", "Example Corp", "--product-version", "3.1", "--log-level", "WARN");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        var inspect = Pyfreeze("inspect", t["dist/app.exe"], "--json", "-");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(inspect.StdOut);
        Assert.Contains("win-x64", inspect.StdOut);
        Assert.Contains("python/python311.dll", inspect.StdOut);
    }

    private static byte[] ReadAt(string path, PeResource r)
    {
        using var f = File.OpenRead(path);
        f.Position = r.FileOffset;
        var data = new byte[r.Size];
        f.ReadExactly(data);
        return data;
    }

    private static void AssertDistEmpty(TempDir t) =>
        Assert.True(!Directory.Exists(t["dist"]) || !Directory.EnumerateFileSystemEntries(t["dist"]).Any(),
            "dist/ holds: " + string.Join(", ", Directory.Exists(t["dist"]) ? Directory.EnumerateFileSystemEntries(t["dist"]) : []));
}

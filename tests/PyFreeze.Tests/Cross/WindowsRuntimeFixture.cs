using System.Text;
using ICSharpCode.SharpZipLib.Tar;
using ICSharpCode.SharpZipLib.Zip;
using PyFreeze.Processes;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cross;

/// <summary>
/// Windows CPython runtimes for cross-building tests. No real Windows CPython archive is reachable offline, so the
/// archives are made here in python-build-standalone's Windows layout (<c>python/python.exe</c>,
/// <c>python/python311.dll</c>, <c>python/Lib/…</c>, <c>python/DLLs/*.pyd</c>) and in python.org's embeddable layout,
/// from the host's pure-Python standard library and stand-in binaries compiled with mingw-w64
/// (<c>Fixtures/cross/*.c</c>): a <c>python311.dll</c> whose <c>Py_Main</c> echoes its arguments and returns a given
/// exit code, the DLL it imports, and an extension module.
/// </summary>
public sealed class WindowsRuntimeFixture : IDisposable
{
    /// <summary>The mingw-w64 C compiler.</summary>
    public const string Gcc = "x86_64-w64-mingw32-gcc";

    private readonly TempDir _dir = new("winrt");
    private readonly Dictionary<string, string> _archives = new(StringComparer.Ordinal);

    /// <summary>Why the stand-ins cannot be made here (no mingw-w64), or null.</summary>
    public string? Missing { get; }

    /// <summary>The folder of compiled stand-ins.</summary>
    public string Binaries => _dir["bin"];

    /// <summary>Compiles the stand-ins.</summary>
    public WindowsRuntimeFixture()
    {
        if (FindOnPath(Gcc) is null)
        {
            Missing = $"{Gcc} is not installed (apt-get install gcc-mingw-w64-x86-64)";
            return;
        }
        Directory.CreateDirectory(Binaries);
        var src = Repo.Path_("tests", "PyFreeze.Tests", "Fixtures", "cross");
        Compile("-shared", "-o", "pyfreeze_standin_dep.dll", Path.Combine(src, "pyfreeze_standin_dep.c"));
        Compile("-shared", "-municode", "-o", "python311.dll", Path.Combine(src, "python_standin.c"), "pyfreeze_standin_dep.dll");
        Compile("-shared", "-o", "_standin.pyd", Path.Combine(src, "standin_ext.c"), "python311.dll");
        Compile("-o", "python.exe", Path.Combine(src, "standin_exe.c"));
    }

    private void Compile(params string[] args)
    {
        var r = ProcessRunner.Run(Gcc, ["-O1", "-s", .. args], workingDirectory: Binaries, timeout: TimeSpan.FromSeconds(120));
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"{Gcc} {string.Join(' ', args)} failed:\n{r.StdErr}");
    }

    /// <summary>A stand-in binary's path.</summary>
    public string Bin(string name) => Path.Combine(Binaries, name);

    /// <summary>A python-build-standalone-style <c>install_only</c> archive for Windows (made once per variation).</summary>
    /// <param name="minor">The minor version the DLL's name says (python3XY.dll).</param>
    /// <param name="pycMagic">A magic to put in a <c>Lib/__pycache__</c> file (as a real archive may hold), or null.</param>
    public string PbsArchive(int minor = 11, string? pycMagic = null)
    {
        var key = $"pbs-{minor}-{pycMagic}";
        lock (_archives)
        {
            if (_archives.TryGetValue(key, out var done))
                return done;
            var path = _dir[$"{key}/cpython-3.{minor}.9+20240726-x86_64-pc-windows-msvc-install_only.tar.gz"];
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var entries = new List<(string Name, string? File, byte[]? Bytes)>
            {
                ("python/python.exe", Bin("python.exe"), null),
                ($"python/python3{minor}.dll", Bin("python311.dll"), null),
                ("python/pyfreeze_standin_dep.dll", Bin("pyfreeze_standin_dep.dll"), null),
                ("python/DLLs/_standin.pyd", Bin("_standin.pyd"), null),
                ("python/LICENSE.txt", null, "stand-in"u8.ToArray()),
            };
            entries.AddRange(HostStdlib().Select(f => ("python/Lib/" + f.Relative, (string?)f.Path, (byte[]?)null)));
            if (pycMagic is not null)
                entries.Add(("python/Lib/__pycache__/abc.cpython-3" + minor + ".pyc", null, [.. Convert.FromHexString(pycMagic), .. new byte[12]]));
            WriteTarGz(path, entries);
            _archives[key] = path;
            return path;
        }
    }

    /// <summary>A python.org-style embeddable zip: the DLL, <c>python3XY.zip</c> (compiled stdlib only), <c>.pyd</c> and
    /// <c>._pth</c> side by side.</summary>
    public string EmbeddableZip(string hostMagic)
    {
        lock (_archives)
        {
            if (_archives.TryGetValue("embed", out var done))
                return done;
            var path = _dir["embed/python-3.11.9-embed-amd64.zip"];
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var stdlibZip = new MemoryStream();
            using (var z = new ZipOutputStream(stdlibZip) { IsStreamOwner = false })
            {
                foreach (var name in new[] { "os.pyc", "abc.pyc", "encodings/__init__.pyc" })
                {
                    z.PutNextEntry(new ZipEntry(name));
                    z.Write([.. Convert.FromHexString(hostMagic), .. new byte[12]]);
                }
            }
            using (var zip = new ZipOutputStream(File.Create(path)))
            {
                void Put(string name, byte[] bytes)
                {
                    zip.PutNextEntry(new ZipEntry(name));
                    zip.Write(bytes);
                }
                Put("python.exe", File.ReadAllBytes(Bin("python.exe")));
                Put("python311.dll", File.ReadAllBytes(Bin("python311.dll")));
                Put("pyfreeze_standin_dep.dll", File.ReadAllBytes(Bin("pyfreeze_standin_dep.dll")));
                Put("_standin.pyd", File.ReadAllBytes(Bin("_standin.pyd")));
                Put("python311.zip", stdlibZip.ToArray());
                Put("python311._pth", "python311.zip\r\n.\r\n"u8.ToArray());
            }
            _archives["embed"] = path;
            return path;
        }
    }

    /// <summary>A Windows archive whose python311.dll says it is for x86 (its COFF Machine field patched to 0x14c).</summary>
    public string X86Archive()
    {
        var dll = File.ReadAllBytes(Bin("python311.dll"));
        var pe = BitConverter.ToInt32(dll, 0x3c);
        BitConverter.GetBytes((ushort)0x14c).CopyTo(dll, pe + 4);
        var path = _dir["x86/cpython-3.11.9+20240726-i686-pc-windows-msvc-install_only.tar.gz"];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WriteTarGz(path, [("python/python311.dll", null, dll), ("python/Lib/os.py", null, "# os\n"u8.ToArray())]);
        return path;
    }

    /// <summary>A python-build-standalone-style archive for Linux (the wrong platform for win-x64).</summary>
    public string LinuxArchive()
    {
        var path = _dir["linux/cpython-3.11.9+20240726-x86_64-unknown-linux-gnu-install_only.tar.gz"];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WriteTarGz(path,
        [
            ("python/bin/python3.11", "/bin/true", null),
            ("python/lib/libpython3.11.so.1.0", "/bin/true", null),
            ("python/lib/python3.11/os.py", null, "# os\n"u8.ToArray()),
        ]);
        return path;
    }

    /// <summary>The host's pure-Python standard library (/usr/lib/python3.11), without tests, GUI and build tools.</summary>
    internal static IEnumerable<(string Relative, string Path)> HostStdlib()
    {
        var root = "/usr/lib/python3.11";
        var skip = new[] { "test", "idlelib", "tkinter", "turtledemo", "lib2to3", "ensurepip", "distutils", "site-packages", "dist-packages", "__pycache__", "config-3.11-x86_64-linux-gnu", "lib-dynload", "unittest", "pydoc_data" };
        foreach (var f in Directory.EnumerateFiles(root, "*.py", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(root, f).Replace('\\', '/');
            if (skip.Contains(rel.Split('/')[0]) || rel.Contains("/tests/") || rel.Contains("/test/") || rel.StartsWith("_sysconfigdata", StringComparison.Ordinal))
                continue;
            yield return (rel, f);
        }
    }

    /// <summary>Writes a .tar.gz of the given entries (file contents or bytes), the same bytes for the same entries
    /// (fixed entry times; System.IO.Compression's gzip header carries no time, SharpZipLib's the current one): a build
    /// caches an unpacked runtime archive by its SHA-256, so a fixture archive that changed every run would leave
    /// another copy in the build cache each run.</summary>
    public static void WriteTarGz(string path, IEnumerable<(string Name, string? File, byte[]? Bytes)> entries)
    {
        using var f = File.Create(path);
        using var gz = new System.IO.Compression.GZipStream(f, System.IO.Compression.CompressionLevel.Fastest);
        using var tar = new TarOutputStream(gz, Encoding.UTF8);
        foreach (var (name, file, bytes) in entries)
        {
            var data = bytes ?? File.ReadAllBytes(file!);
            var e = TarEntry.CreateTarEntry(name);
            e.Size = data.Length;
            e.TarHeader.Mode = 0b110_100_100 | (name.EndsWith(".exe", StringComparison.Ordinal) || name.Contains("/bin/") ? 0b001_001_001 : 0);
            e.ModTime = new DateTime(2024, 7, 26, 0, 0, 0, DateTimeKind.Utc);
            tar.PutNextEntry(e);
            tar.Write(data);
            tar.CloseEntry();
        }
    }

    /// <summary>A command's path on PATH, or null.</summary>
    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <inheritdoc />
    public void Dispose() => _dir.Dispose();
}

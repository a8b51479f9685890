using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Formats.Tar;
using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.Zip;
using PyFreeze.Binaries;
using PyFreeze.Cache;
using PyFreeze.Diagnostics;

namespace PyFreeze.Probe;

/// <summary>
/// A CPython runtime for another RID, given as an archive (<c>--runtime</c>): python-build-standalone's
/// <c>install_only</c> <c>.tar.gz</c> or python.org's Windows embeddable zip (python-build-standalone keeps
/// everything under <c>python/</c>; its <c>install_only</c> archives carry no PYTHON.json, so the version comes from the
/// archive's name and its standard library); for a Linux RID also a folder (<see cref="LinuxTargetRuntime"/>). The
/// archive is unpacked once
/// into the build cache (keyed by its SHA-256) and read for its layout, version and bytecode magic; the build then
/// analyzes against its standard library and bundles its binaries, while a host CPython of the same minor version
/// compiles the bytecode (<see cref="FindCompiler"/>).
/// </summary>
public sealed partial class TargetRuntime
{
    /// <summary>The archive (a local path; a downloaded one's place in the build cache), or the folder.</summary>
    public required string Source { get; init; }

    /// <summary>SHA-256 of the archive, 64 lower-case hex digits; empty for a folder.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The target the runtime is for.</summary>
    public required Rid Rid { get; init; }

    /// <summary>The runtime's root folder in the cache (the folder holding <c>python3XY.dll</c> on Windows).</summary>
    public required string Root { get; init; }

    /// <summary>Major version (3).</summary>
    public required int Major { get; init; }

    /// <summary>Minor version.</summary>
    public required int Minor { get; init; }

    /// <summary>Micro version when the archive's name tells it, else null.</summary>
    public int? Micro { get; init; }

    /// <summary>The standard library's folder of sources (<c>Lib/</c>), or null when the runtime holds compiled
    /// bytecode only (the embeddable zip); the host interpreter's sources of the same version are then analyzed.</summary>
    public string? Stdlib { get; init; }

    /// <summary>The folder of standard extension modules (<c>DLLs/</c> in python-build-standalone; the root in the
    /// embeddable zip).</summary>
    public required string Dynload { get; init; }

    /// <summary>The python shared library (<c>python311.dll</c>, <c>lib/libpython3.11.dylib</c>).</summary>
    public required string Library { get; init; }

    /// <summary>The interpreter executable the bootloader execs (<c>bin/python3.11</c> on macOS); null on Windows,
    /// where the bootloader loads <see cref="Library"/> in process.</summary>
    public string? Interpreter { get; init; }

    /// <summary>The bytecode magic read from a .pyc inside the runtime (8 hex digits), or null when it holds none.</summary>
    public string? Magic { get; init; }

    /// <summary>For a Linux RID: the sysroot, builtins, suffixes and the rest read from the runtime's files; else null.</summary>
    public LinuxRuntimeFacts? Linux { get; init; }

    /// <summary>"3.11".</summary>
    public string ShortVersion => $"{Major}.{Minor}";

    /// <summary>"3.11.9", or "3.11" when the micro version is unknown.</summary>
    public string VersionString => Micro is { } m ? $"{Major}.{Minor}.{m}" : ShortVersion;

    /// <summary>Modules compiled into <c>python3XY.dll</c> on Windows (PC/config.c of CPython 3.9–3.14): never files.</summary>
    public static IReadOnlyList<string> WindowsBuiltinModules { get; } =
    [
        "_abc", "_ast", "_bisect", "_blake2", "_codecs", "_codecs_cn", "_codecs_hk", "_codecs_iso2022", "_codecs_jp",
        "_codecs_kr", "_codecs_tw", "_collections", "_contextvars", "_csv", "_datetime", "_functools", "_heapq", "_imp",
        "_interpchannels", "_interpqueues", "_interpreters", "_io", "_json", "_locale", "_lsprof", "_md5",
        "_multibytecodec", "_opcode", "_operator", "_peg_parser", "_pickle", "_random", "_sha1", "_sha2", "_sha256",
        "_sha3", "_sha512", "_signal", "_sre", "_stat", "_statistics", "_string", "_struct", "_suggestions",
        "_symtable", "_sysconfig", "_thread", "_tokenize", "_tracemalloc", "_typing", "_warnings", "_weakref",
        "_winapi", "_xxinterpchannels", "_xxsubinterpreters", "array", "atexit", "audioop", "binascii", "builtins",
        "cmath", "errno", "faulthandler", "gc", "itertools", "marshal", "math", "mmap", "msvcrt", "nt", "parser",
        "sys", "time", "winreg", "xxsubtype", "zlib",
    ];

    [GeneratedRegex(@"^python3(\d{1,2})\.dll$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WindowsDll();

    [GeneratedRegex(@"^libpython3\.(\d{1,2})\.dylib$", RegexOptions.CultureInvariant)]
    private static partial Regex DarwinLibrary();

    [GeneratedRegex(@"cpython-3\.(\d{1,2})\.(\d{1,3})", RegexOptions.CultureInvariant)]
    private static partial Regex PbsName();

    [GeneratedRegex(@"python-3\.(\d{1,2})\.(\d{1,3})", RegexOptions.CultureInvariant)]
    private static partial Regex EmbedName();

    /// <summary>Opens a runtime archive for <paramref name="rid"/>: checks the pinned checksum, unpacks it into the build
    /// cache (once per archive content) and reads its layout.</summary>
    /// <param name="source">The archive: a local path, or an http(s) URL (downloaded once into the build cache).</param>
    /// <param name="rid">The target.</param>
    /// <param name="cache">The build cache.</param>
    /// <param name="log">Messages.</param>
    /// <param name="expectedSha256"><c>--runtime-sha256</c>, or null.</param>
    /// <exception cref="PyFreezeException">Missing, corrupted, of another platform or version, or a checksum mismatch.</exception>
    public static TargetRuntime Open(string source, Rid rid, BuildCache cache, Log log, string? expectedSha256 = null)
    {
        if (rid.IsLinux && !IsUrl(source) && Directory.Exists(source))
            return LinuxTargetRuntime.FromFolder(source, rid, expectedSha256);
        if (expectedSha256 is not null && (expectedSha256.Trim().Length != 64 || !expectedSha256.Trim().All(char.IsAsciiHexDigit)))
            throw new PyFreezeException($"--runtime-sha256 {expectedSha256}: not a SHA-256 (64 hex digits)", 2);
        var path = IsUrl(source) ? Download(source, cache, log, expectedSha256?.Trim().ToLowerInvariant()) : Path.GetFullPath(source);
        if (!File.Exists(path))
            throw new PyFreezeException(rid.IsLinux
                ? $"--runtime {source}: no such file or folder; give a folder holding a CPython for {rid.Name} (Debian's packages unpacked with dpkg -x) or a python-build-standalone install_only .tar.gz"
                : $"--runtime {source}: no such file; give a python-build-standalone install_only .tar.gz or python.org's Windows embeddable .zip", 2);
        string sha;
        try
        {
            using var f = File.OpenRead(path);
            sha = Convert.ToHexStringLower(SHA256.HashData(f));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PyFreezeException($"--runtime {source}: cannot be read ({e.Message})", 1, e);
        }
        if (expectedSha256 is not null && !string.Equals(expectedSha256.Trim(), sha, StringComparison.OrdinalIgnoreCase))
            throw new PyFreezeException($"--runtime {source}: SHA-256 is {sha}, not {expectedSha256.Trim()} as --runtime-sha256 says; the archive is not the one pinned", 1);

        var dir = Path.Combine(cache.Root, "runtimes", sha[..32]);
        var marker = Path.Combine(dir, ".pyfreeze-complete");
        if (!File.Exists(marker) || File.ReadAllText(marker).Trim() != sha)
        {
            log.Info($"Unpacking the {rid.Name} runtime {Path.GetFileName(path)} (once; cached in {dir})");
            var tmp = dir + $".{Environment.ProcessId}.tmp";
            if (Directory.Exists(tmp))
                Directory.Delete(tmp, true);
            Directory.CreateDirectory(tmp);
            try
            {
                Extract(path, source, tmp);
                File.WriteAllText(Path.Combine(tmp, ".pyfreeze-complete"), sha);
                if (Directory.Exists(dir))
                    Directory.Delete(dir, true);
                Directory.Move(tmp, dir);
            }
            finally
            {
                if (Directory.Exists(tmp))
                    Directory.Delete(tmp, true);
            }
        }
        return Read(dir, path, source, sha, rid);
    }

    private static bool IsUrl(string source) =>
        source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    private static string Sha256Of(string file)
    {
        using var f = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    /// <summary>Downloads a runtime archive into the build cache (<c>downloads/SHA256/NAME</c>), or finds it there: by
    /// the pinned checksum, else by an index of the URL's last download. A pinned checksum is checked before the file
    /// is kept.</summary>
    private static string Download(string url, BuildCache cache, Log log, string? pin)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || Path.GetFileName(uri.AbsolutePath) is not { Length: > 0 } name || name is "." or "..")
            throw new PyFreezeException($"--runtime {url}: not a URL of an archive file", 2);
        var dir = Path.Combine(cache.Root, "downloads");
        var index = Path.Combine(dir, "url-" + BuildCache.Key("runtime-url", url)[..32]);
        var known = pin ?? (File.Exists(index) ? File.ReadAllText(index).Trim() : null);
        if (known is not null)
        {
            var cached = Path.Combine(dir, known, name);
            if (File.Exists(cached) && Sha256Of(cached) == known)
                return cached;
        }
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{name}.{Environment.ProcessId}.tmp");
        log.Info($"Downloading the runtime {url}");
        try
        {
            using (var http = new HttpClient { Timeout = TimeSpan.FromMinutes(15) })
            using (var response = http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult())
            {
                if (!response.IsSuccessStatusCode)
                    throw new PyFreezeException($"--runtime {url}: download failed (HTTP {(int)response.StatusCode} {response.ReasonPhrase})", 1);
                using var body = response.Content.ReadAsStream();
                using var o = File.Create(tmp);
                body.CopyTo(o);
            }
            var sha = Sha256Of(tmp);
            if (pin is not null && sha != pin)
                throw new PyFreezeException($"--runtime {url}: SHA-256 is {sha}, not {pin} as --runtime-sha256 says; the download is not the archive pinned", 1);
            var final = Path.Combine(dir, sha, name);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            File.Move(tmp, final, overwrite: true);
            File.WriteAllText(index, sha);
            return final;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            throw new PyFreezeException($"--runtime {url}: cannot download ({e.Message})", 1, e);
        }
        finally
        {
            if (File.Exists(tmp))
                File.Delete(tmp);
        }
    }

    /// <summary>Unpacks a .tar.gz or .zip (chosen by its first bytes) into <paramref name="dest"/>, refusing entries
    /// that would land outside it.</summary>
    private static void Extract(string path, string shown, string dest)
    {
        var head = new byte[4];
        using (var f = File.OpenRead(path))
            f.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        try
        {
            if (head[0] == 0x1f && head[1] == 0x8b)
                ExtractTarGz(path, dest);
            else if (head[0] == (byte)'P' && head[1] == (byte)'K')
                ExtractZip(path, dest);
            else
                throw new PyFreezeException($"--runtime {shown}: neither a .tar.gz nor a .zip archive; give a python-build-standalone install_only .tar.gz or python.org's Windows embeddable .zip", 2);
        }
        catch (Exception e) when (e is SharpZipBaseException or EndOfStreamException or InvalidDataException or FormatException)
        {
            throw new PyFreezeException($"--runtime {shown}: the archive is corrupted ({e.Message}); download it again", 1, e);
        }
    }

    /// <summary>Unpacks a .tar.gz (ustar, GNU and pax headers) with System.Formats.Tar over a GZipStream.</summary>
    private static void ExtractTarGz(string path, string dest)
    {
        using var f = File.OpenRead(path);
        using var gz = new System.IO.Compression.GZipStream(f, System.IO.Compression.CompressionMode.Decompress);
        using var tar = new TarReader(gz);
        TarEntry? entry;
        while ((entry = tar.GetNextEntry()) is not null)
        {
            var target = PrepareTarget(dest, entry.Name, entry.EntryType == TarEntryType.Directory);
            if (target is null)
                continue;
            if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
            {
                // python-build-standalone's POSIX trees link bin/python3 to python3.X: keep links inside the tree.
                var link = entry.LinkName;
                var hard = entry.EntryType == TarEntryType.HardLink;
                var resolved = hard
                    ? SafeTarget(dest, link)
                    : SafeTarget(dest, Path.GetRelativePath(dest, Path.Combine(Path.GetDirectoryName(target)!, link)));
                if (resolved is not null && !OperatingSystem.IsWindows())
                    File.CreateSymbolicLink(target, hard ? resolved : link);
                continue;
            }
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                continue;
            using (var o = File.Create(target))
                entry.DataStream?.CopyTo(o);
            if (!OperatingSystem.IsWindows() && (entry.Mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        }
    }

    /// <summary>Where an archive entry goes inside <paramref name="dest"/>, its folder made; null for an entry that
    /// escapes <paramref name="dest"/> and for a folder entry (made here).</summary>
    private static string? PrepareTarget(string dest, string name, bool isDirectory)
    {
        var target = SafeTarget(dest, name);
        if (target is null)
            return null;
        if (isDirectory)
        {
            Directory.CreateDirectory(target);
            return null;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        return target;
    }

    private static void ExtractZip(string path, string dest)
    {
        using var zip = new ZipFile(path);
        foreach (ZipEntry entry in zip)
        {
            var target = PrepareTarget(dest, entry.Name, entry.IsDirectory);
            if (target is null)
                continue;
            using var i = zip.GetInputStream(entry);
            using var o = File.Create(target);
            i.CopyTo(o);
        }
    }

    /// <summary>The path of an archive entry under <paramref name="dest"/>, or null for an empty, absolute or escaping name.</summary>
    private static string? SafeTarget(string dest, string name)
    {
        name = name.Replace('\\', '/').TrimStart('.', '/');
        if (name.Length == 0 || name.Split('/').Any(p => p == ".."))
            return null;
        var full = Path.GetFullPath(Path.Combine(dest, name));
        return full.StartsWith(Path.GetFullPath(dest) + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    /// <summary>Reads an unpacked runtime's layout: the python DLL (platform, architecture, version), the standard
    /// library (<c>Lib/</c> or <c>python3XY.zip</c>) and the magic of any bytecode it holds.</summary>
    private static TargetRuntime Read(string dir, string path, string shown, string sha, Rid rid)
    {
        if (rid.IsLinux)
            return LinuxTargetRuntime.Read(dir, shown, path, sha, rid);
        var root = Directory.Exists(Path.Combine(dir, "python")) ? Path.Combine(dir, "python") : dir;
        var what = DescribeForeign(root);
        var dll = Directory.Exists(root)
            ? Directory.EnumerateFiles(root).Select(Path.GetFileName).FirstOrDefault(n => WindowsDll().IsMatch(n!))
            : null;
        if (rid.IsMacOS)
            return ReadDarwin(root, path, shown, sha, rid, what);
        if (dll is null)
            throw new PyFreezeException($"--runtime {shown}: {(what is null ? "holds no python3XY.dll" : $"is a CPython for {what}")}, not for {rid.Name}; give python-build-standalone's …-x86_64-pc-windows-msvc-install_only.tar.gz or python.org's python-3.X.Y-embed-amd64.zip", 2);
        var library = Path.Combine(root, dll);
        PeFile pe;
        try
        {
            pe = PeFile.Read(library);
        }
        catch (BinaryFormatException e)
        {
            throw new PyFreezeException($"--runtime {shown}: {dll} is not a usable DLL ({e.Problem})", 1, e);
        }
        if (pe.Architecture != rid.Architecture)
            throw new PyFreezeException($"--runtime {shown}: {dll} is for {pe.MachineName}, not {rid.Name}; give the x86_64 (amd64) runtime", 2);

        var minor = int.Parse(WindowsDll().Match(dll).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var micro = CheckArchiveName(path, shown, minor, dll);

        string? stdlib = null;
        string? magic = null;
        var lib = FindChild(root, "Lib");
        if (lib is not null && File.Exists(Path.Combine(lib, "os.py")))
        {
            stdlib = lib;
            magic = FirstPycMagic(lib);
        }
        else
        {
            var zipName = $"python3{minor}.zip";
            var zipPath = Directory.EnumerateFiles(root).FirstOrDefault(f => string.Equals(Path.GetFileName(f), zipName, StringComparison.OrdinalIgnoreCase));
            if (zipPath is null)
                throw new PyFreezeException($"--runtime {shown}: no standard library (neither Lib/os.py nor {zipName}); the archive is incomplete", 2);
            magic = PycMagicInZip(zipPath, shown);
        }
        var dlls = FindChild(root, "DLLs") ?? root;
        return new TargetRuntime
        {
            Source = path, Sha256 = sha, Rid = rid, Root = root, Major = 3, Minor = minor, Micro = micro,
            Stdlib = stdlib, Dynload = dlls, Library = library, Magic = magic,
        };
    }

    /// <summary>Reads python-build-standalone's macOS tree: <c>bin/python3.X</c> (LC_RPATH
    /// <c>@executable_path/../lib</c>), <c>lib/libpython3.X.dylib</c>, the standard library in <c>lib/python3.X/</c>
    /// with <c>lib-dynload/</c>. The library's Mach-O header must be for the RID's architecture.</summary>
    private static TargetRuntime ReadDarwin(string root, string path, string shown, string sha, Rid rid, string? what)
    {
        var libDir = Path.Combine(root, "lib");
        var dylib = Directory.Exists(libDir)
            ? Directory.EnumerateFiles(libDir).Select(Path.GetFileName).Where(n => DarwinLibrary().IsMatch(n!)).Order(StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (dylib is null)
        {
            var windowsDll = Directory.Exists(root) ? Directory.EnumerateFiles(root).Select(Path.GetFileName).FirstOrDefault(n => WindowsDll().IsMatch(n!)) : null;
            var held = windowsDll is not null ? $"is a CPython for Windows ({windowsDll})" : what is not null ? $"is a CPython for {what}" : "holds no lib/libpython3.X.dylib";
            throw new PyFreezeException($"--runtime {shown}: {held}, not for {rid.Name}; give python-build-standalone's …-aarch64-apple-darwin-install_only.tar.gz", 2);
        }
        var library = Path.Combine(libDir, dylib);
        MachOImage? image;
        try
        {
            var macho = MachOFile.Read(library);
            image = macho.Select(MachOFile.CpuTypeArm64) ?? macho.Images.FirstOrDefault();
        }
        catch (BinaryFormatException e)
        {
            throw new PyFreezeException($"--runtime {shown}: lib/{dylib} is not a usable Mach-O library ({e.Problem})", 1, e);
        }
        if (image?.Architecture != rid.Architecture)
            throw new PyFreezeException($"--runtime {shown}: lib/{dylib} is for {image?.ArchitectureName ?? "no known architecture"}, not {rid.Name}; give the aarch64-apple-darwin runtime", 2);
        var minor = int.Parse(DarwinLibrary().Match(dylib).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var micro = CheckArchiveName(path, shown, minor, "lib/" + dylib);
        var exe = Path.Combine(root, "bin", $"python3.{minor}");
        if (!File.Exists(exe))
            throw new PyFreezeException($"--runtime {shown}: no bin/python3.{minor}; the archive is incomplete", 2);
        var stdlib = Path.Combine(libDir, $"python3.{minor}");
        if (!File.Exists(Path.Combine(stdlib, "os.py")))
            throw new PyFreezeException($"--runtime {shown}: no standard library (lib/python3.{minor}/os.py); the archive is incomplete", 2);
        return new TargetRuntime
        {
            Source = path, Sha256 = sha, Rid = rid, Root = root, Major = 3, Minor = minor, Micro = micro,
            Stdlib = stdlib, Dynload = Path.Combine(stdlib, "lib-dynload"), Library = library, Magic = FirstPycMagic(stdlib),
            Interpreter = exe,
        };
    }

    /// <summary>The micro version from a python-build-standalone or embeddable archive name (null when the name has
    /// none), checked against the minor version the archive holds.</summary>
    /// <exception cref="PyFreezeException">The name says another minor version.</exception>
    internal static int? CheckArchiveName(string path, string shown, int minor, string held)
    {
        var name = Path.GetFileName(path);
        var m = PbsName().Match(name) is { Success: true } pbs ? pbs : EmbedName().Match(name);
        int? micro = null;
        if (m.Success)
        {
            var nameMinor = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (nameMinor != minor)
                throw new PyFreezeException($"--runtime {shown}: the archive's name says CPython 3.{nameMinor} but it holds {held} (3.{minor}); the archive is not what its name says", 2);
            micro = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        if (minor < InterpreterProbe.MinMinor || minor > InterpreterProbe.MaxMinor)
            throw new PyFreezeException($"--runtime {shown}: CPython 3.{minor} is not supported; use CPython 3.{InterpreterProbe.MinMinor}–3.{InterpreterProbe.MaxMinor}", 2);
        return micro;
    }

    /// <summary>The modules built into a macOS libpython: one per <c>_PyInit_NAME</c> symbol it defines.</summary>
    private IEnumerable<string> DarwinBuiltinModules()
    {
        try
        {
            return [.. MachOSymbols.Defined(Library).Where(s => s.StartsWith("_PyInit_", StringComparison.Ordinal)).Select(s => s["_PyInit_".Length..])];
        }
        catch (BinaryFormatException e)
        {
            throw new PyFreezeException($"--runtime {Source}: cannot read the symbols of {Path.GetFileName(Library)} ({e.Problem})", 1, e);
        }
    }

    private static string? FindChild(string dir, string name) =>
        Directory.EnumerateDirectories(dir).FirstOrDefault(d => string.Equals(Path.GetFileName(d), name, StringComparison.OrdinalIgnoreCase));

    /// <summary>What platform a runtime tree is for when it is not Windows ("Linux (bin/python3.11)"), or null.</summary>
    private static string? DescribeForeign(string root)
    {
        var lib = Path.Combine(root, "lib");
        if (!Directory.Exists(lib))
            return null;
        foreach (var f in Directory.EnumerateFiles(lib))
        {
            var n = Path.GetFileName(f);
            if (n.StartsWith("libpython3", StringComparison.Ordinal) && n.Contains(".so", StringComparison.Ordinal))
                return $"Linux (lib/{n})";
            if (n.StartsWith("libpython3", StringComparison.Ordinal) && n.EndsWith(".dylib", StringComparison.Ordinal))
                return $"macOS (lib/{n})";
        }
        return Directory.Exists(Path.Combine(root, "bin")) ? "a POSIX system (bin/, lib/)" : null;
    }

    internal static string? FirstPycMagic(string stdlib)
    {
        var cache = Path.Combine(stdlib, "__pycache__");
        if (!Directory.Exists(cache))
            return null;
        var pyc = Directory.EnumerateFiles(cache, "*.pyc").Order(StringComparer.Ordinal).FirstOrDefault();
        if (pyc is null)
            return null;
        using var f = File.OpenRead(pyc);
        var head = new byte[4];
        return f.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 ? Convert.ToHexStringLower(head) : null;
    }

    private static string? PycMagicInZip(string zipPath, string shown)
    {
        try
        {
            using var zip = new ZipFile(zipPath);
            var entry = zip.Cast<ZipEntry>().Where(e => e.IsFile && e.Name.EndsWith(".pyc", StringComparison.Ordinal)).OrderBy(e => e.Name, StringComparer.Ordinal).FirstOrDefault();
            if (entry is null)
                return null;
            using var s = zip.GetInputStream(entry);
            var head = new byte[4];
            return s.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 ? Convert.ToHexStringLower(head) : null;
        }
        catch (Exception e) when (e is SharpZipBaseException or EndOfStreamException or InvalidDataException or FormatException)
        {
            throw new PyFreezeException($"--runtime {shown}: its {Path.GetFileName(zipPath)} is corrupted ({e.Message})", 1, e);
        }
    }

    /// <summary>
    /// The host CPython that compiles the target's bytecode: <paramref name="python"/> when given (it must be of the
    /// runtime's minor version), else the first of <c>python3.X</c> on PATH, pyenv's <c>3.X.*</c> and the default
    /// interpreter that is of that version. Its bytecode magic must equal the one found in the runtime (when any).
    /// </summary>
    /// <param name="python"><c>--python</c>, or null.</param>
    /// <param name="probe">Probes one interpreter (path or name) for the app.</param>
    /// <returns>The probed host interpreter.</returns>
    /// <exception cref="PyFreezeException">No interpreter of the runtime's version, or a magic mismatch.</exception>
    public InterpreterInfo FindCompiler(string? python, Func<string, InterpreterInfo> probe)
    {
        if (python is not null)
            return Check(probe(python), $"--python {python}");
        var tried = new List<string>();
        foreach (var candidate in CompilerCandidates())
        {
            string located;
            try
            {
                located = InterpreterProbe.Locate(candidate);
            }
            catch (PyFreezeException)
            {
                continue;
            }
            var info = probe(located);
            if (info.ShortVersion == ShortVersion)
                return Check(info, located);
            tried.Add($"{located} is {info.VersionString}");
        }
        throw new PyFreezeException($"the {Rid.Name} runtime is CPython {VersionString}{MagicNote}, and no CPython {ShortVersion} was found here to compile its bytecode ({(tried.Count == 0 ? $"no python{ShortVersion} on PATH or in pyenv" : string.Join("; ", tried))}); install CPython {ShortVersion} or pass --python", 2);
    }

    private string MagicNote => Magic is null ? "" : $" (bytecode magic {Magic})";

    private InterpreterInfo Check(InterpreterInfo info, string what)
    {
        if (info.ShortVersion != ShortVersion)
            throw new PyFreezeException($"{what} is CPython {info.VersionString} (bytecode magic {info.Magic}), but the {Rid.Name} runtime is CPython {VersionString}{MagicNote}: the bytecode must come from a CPython {ShortVersion}; pass --python of that version", 2);
        if (Magic is not null && !string.Equals(Magic, info.Magic, StringComparison.OrdinalIgnoreCase))
            throw new PyFreezeException($"{what} is CPython {info.VersionString} with bytecode magic {info.Magic}, but the {Rid.Name} runtime's bytecode has magic {Magic} (CPython {VersionString}); use a matching release", 2);
        return info;
    }

    private IEnumerable<string> CompilerCandidates()
    {
        yield return $"python{ShortVersion}";
        var pyenv = Environment.GetEnvironmentVariable("PYENV_ROOT") is { Length: > 0 } r ? r
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv");
        var versions = Path.Combine(pyenv, "versions");
        if (Directory.Exists(versions))
            foreach (var v in Directory.EnumerateDirectories(versions, $"{ShortVersion}.*").Order(StringComparer.Ordinal).Reverse())
                yield return Path.Combine(v, "bin", $"python{ShortVersion}");
        yield return InterpreterProbe.DefaultInterpreter(Environment.GetEnvironmentVariable);
    }

    /// <summary>
    /// The interpreter facts the analysis and collection use for the target: the runtime's standard library and
    /// extension folders, the target platform's builtin modules (Windows: PC/config.c; macOS: libpython's
    /// <c>_PyInit_*</c> symbols; Linux: see <see cref="LinuxTargetRuntime.Interpreter"/>) and extension suffixes, and the target's site-packages; frozen and
    /// standard module names (the same on every platform) from the host compiler. The micro version is the archive
    /// name's, else the host compiler's (install_only archives carry no version file).
    /// </summary>
    /// <param name="host">The host compiler, of the same minor version.</param>
    /// <param name="sitePackages"><c>--target-site-packages</c> folders.</param>
    /// <param name="log">Messages.</param>
    /// <exception cref="PyFreezeException">A site-packages folder does not exist (or, for Linux, holds binaries of
    /// another machine).</exception>
    public InterpreterInfo TargetInterpreter(InterpreterInfo host, IReadOnlyList<string> sitePackages, Log log)
    {
        var site = new List<string>();
        foreach (var s in sitePackages)
        {
            var full = Path.GetFullPath(s);
            if (!Directory.Exists(full))
                throw new PyFreezeException($"--target-site-packages {s}: no such folder", 2);
            site.Add(full);
        }
        if (Linux is not null)
            return LinuxTargetRuntime.Interpreter(this, host, site);
        var stdlib = Stdlib;
        if (stdlib is null)
        {
            stdlib = host.Stdlib;
            log.Info($"The runtime's standard library is compiled only; analyzing the sources of CPython {host.VersionString} ({stdlib}) instead");
        }
        // Windows loads the DLL in process; macOS execs python-build-standalone's bin/python3.X, whose rpath is
        // @executable_path/../lib.
        var mac = Rid.IsMacOS;
        var own = Path.Combine(stdlib, "site-packages");
        if (mac && Directory.Exists(own) && !site.Contains(own))
            site.Add(own);
        var exe = Interpreter ?? Library;
        var tag = $"cp3{Minor}";
        return new InterpreterInfo
        {
            Implementation = "cpython",
            Version = [.. new object[] { Major, Minor, Micro ?? host.Micro, "final", 0 }.Select(v => JsonSerializer.SerializeToElement(v))],
            Magic = host.Magic,
            CacheTag = host.CacheTag,
            Executable = exe,
            BaseExecutable = exe,
            RealExecutable = new FileInfo(exe).ResolveLinkTarget(true)?.FullName ?? exe,
            Prefix = Root,
            BasePrefix = Root,
            Platlibdir = mac ? "lib" : null,
            Platform = mac ? "darwin" : "win32",
            Machine = mac ? "arm64" : "AMD64",
            Stdlib = stdlib,
            Platstdlib = stdlib,
            LibDynload = Dynload,
            SysPath = [stdlib, Dynload, .. site],
            SitePackages = [.. site],
            // importlib's EXTENSION_SUFFIXES on each platform
            ExtensionSuffixes = mac ? [$".cpython-3{Minor}-darwin.so", ".abi3.so", ".so"] : [$".{tag}-win_amd64.pyd", ".pyd"],
            SourceSuffixes = mac ? [".py"] : [".py", ".pyw"],
            BytecodeSuffixes = [".pyc"],
            BuiltinModules = mac ? [.. new SortedSet<string>(DarwinBuiltinModules().Concat(LinuxTargetRuntime.CoreBuiltins), StringComparer.Ordinal)] : [.. WindowsBuiltinModules],
            FrozenModules = host.FrozenModules,
            StdlibModuleNames = host.StdlibModuleNames,
            Soabi = mac ? $"cpython-3{Minor}-darwin" : null,
            Multiarch = null,
            Shared = true,
            GilDisabled = false,
            Libpython = Library,
            Sysconfigdata = mac ? Directory.EnumerateFiles(stdlib, "_sysconfigdata_*.py").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).FirstOrDefault() : null,
            Glibc = null,
            OpensslPaths = null,
            EntryError = host.EntryError,
        };
    }
}

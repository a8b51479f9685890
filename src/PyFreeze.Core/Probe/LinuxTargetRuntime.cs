using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PyFreeze.Binaries;
using PyFreeze.Diagnostics;
using PyFreeze.Emit;

namespace PyFreeze.Probe;

/// <summary>What a Linux CPython for another machine holds, read from its files (<see cref="LinuxTargetRuntime"/>).</summary>
/// <param name="Sysroot">The target machine's root on this machine: the folder given, where the target's absolute
/// paths (<c>/usr/lib/aarch64-linux-gnu</c>, absolute symbolic links) resolve.</param>
/// <param name="Prefix"><c>sys.prefix</c> of the runtime (<c>ROOT/usr</c> for a Debian root, <c>ROOT/python</c> for
/// python-build-standalone).</param>
/// <param name="Layout">How the runtime was recognised, for messages ("a Debian-style root (usr/bin/python3.11)").</param>
/// <param name="Multiarch">The multiarch tuple (<c>aarch64-linux-gnu</c>).</param>
/// <param name="Soabi"><c>SOABI</c> (<c>cpython-311-aarch64-linux-gnu</c>).</param>
/// <param name="ExtensionSuffixes"><c>importlib.machinery.EXTENSION_SUFFIXES</c> of the target.</param>
/// <param name="BuiltinModules"><c>sys.builtin_module_names</c>: libpython's or the interpreter's <c>PyInit_*</c> symbols
/// with the modules Python/config.c always builds in.</param>
/// <param name="SitePackages">The runtime's own site-packages folders that exist, in the order its <c>site</c> adds them.</param>
/// <param name="Sysconfigdata">The <c>_sysconfigdata_*</c> module the runtime's <c>sysconfig</c> imports, or null.</param>
/// <param name="Glibc">The sysroot's glibc ("glibc 2.36"), or null when it holds none.</param>
/// <param name="OpensslPaths">The default CA file and folder of the runtime's OpenSSL (its <c>OPENSSLDIR</c>), or null.</param>
public sealed record LinuxRuntimeFacts(
    string Sysroot, string Prefix, string Layout, string Multiarch, string Soabi, IReadOnlyList<string> ExtensionSuffixes,
    IReadOnlyList<string> BuiltinModules, IReadOnlyList<string> SitePackages, string? Sysconfigdata, string? Glibc,
    string[]? OpensslPaths);

/// <summary>
/// A Linux CPython for another CPU (<c>--target linux-arm64 --runtime RUNTIME</c>), recognised and read without running
/// it. RUNTIME is a folder or an archive, in one of two layouts:
/// <list type="bullet">
/// <item>a Debian-style root: Debian's <c>python3.X-minimal</c>, <c>libpython3.X-minimal</c> and
/// <c>libpython3.X-stdlib</c> (and the libraries they use) unpacked with <c>dpkg -x</c>, or a whole root filesystem
/// (debootstrap, <c>docker export</c>): <c>usr/bin/python3.X</c> (or <c>usr/local/…</c>), the standard library in
/// <c>usr/lib/python3.X/</c>, libraries in <c>lib/TUPLE</c> and <c>usr/lib/TUPLE</c>;</item>
/// <item>python-build-standalone's <c>…-aarch64-unknown-linux-gnu-install_only.tar.gz</c> (or its unpacked
/// <c>python/</c> folder): <c>bin/python3.X</c> with RUNPATH <c>$ORIGIN/../lib</c>, <c>lib/libpython3.X.so.1.0</c>,
/// <c>lib/python3.X/</c>.</item>
/// </list>
/// The interpreter's ELF header gives the machine (it must be the RID's), its name the minor version, the version
/// string compiled into it (or the archive's name) the micro version; the modules built in come from the
/// <c>PyInit_*</c> symbols of libpython or of the interpreter (<see cref="ElfSymbols"/>), the extension suffix and
/// multiarch tuple from the runtime's <c>_sysconfigdata_*.py</c>, the CA paths from its OpenSSL's <c>OPENSSLDIR</c>.
/// </summary>
public static partial class LinuxTargetRuntime
{
    /// <summary>Modules every CPython 3.9–3.14 builds in whose init function is not named <c>PyInit_NAME</c>
    /// (Python/config.c's <c>_PyImport_Inittab</c>: marshal, _imp, builtins, sys, _warnings).</summary>
    public static IReadOnlyList<string> CoreBuiltins { get; } = ["_imp", "_warnings", "builtins", "marshal", "sys"];

    /// <summary>Where a prefix (<c>bin/</c>, <c>lib/</c>) is looked for inside a runtime folder, in order: an unpacked
    /// python-build-standalone archive, a root filesystem (a Docker image's own CPython in <c>usr/local</c> before the
    /// distribution's; <c>usr</c> before the folder itself, whose <c>bin</c> and <c>lib</c> are links into <c>usr</c> on
    /// a merged-/usr root), the folder itself (a prefix given directly), a full python-build-standalone archive.</summary>
    private static readonly string[] Prefixes = ["python", "usr/local", "usr", "", "python/install"];

    [GeneratedRegex(@"^python3\.(\d{1,2})$", RegexOptions.CultureInvariant)]
    private static partial Regex InterpreterName();

    [GeneratedRegex(@"'SOABI':\s*'([^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex SoabiVar();

    [GeneratedRegex(@"'MULTIARCH':\s*'([^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex MultiarchVar();

    [GeneratedRegex(@"'EXT_SUFFIX':\s*'([^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex ExtSuffixVar();

    /// <summary>Reads a runtime folder (see the type's summary).</summary>
    /// <param name="folder">The folder given to <c>--runtime</c>.</param>
    /// <param name="rid">The target.</param>
    /// <param name="expectedSha256"><c>--runtime-sha256</c>: must be null for a folder.</param>
    /// <exception cref="PyFreezeException">Not a CPython for <paramref name="rid"/>, incomplete, or pinned by checksum.</exception>
    public static TargetRuntime FromFolder(string folder, Rid rid, string? expectedSha256)
    {
        if (expectedSha256 is not null)
            throw new PyFreezeException($"--runtime-sha256: pins a runtime archive, but --runtime {folder} is a folder; drop --runtime-sha256 or give the archive", 2);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        return Read(full, folder, full, "", rid);
    }

    /// <summary>Reads an unpacked runtime (a folder, or an archive unpacked into the build cache).</summary>
    /// <param name="dir">The unpacked folder: the sysroot.</param>
    /// <param name="shown">The <c>--runtime</c> value, for messages.</param>
    /// <param name="source">The archive or folder (its name may carry the version).</param>
    /// <param name="sha">The archive's SHA-256, or empty for a folder.</param>
    /// <param name="rid">The target.</param>
    /// <exception cref="PyFreezeException">Not a Linux CPython for <paramref name="rid"/>, or incomplete.</exception>
    public static TargetRuntime Read(string dir, string shown, string source, string sha, Rid rid)
    {
        var fs = new SysrootFileSystem(dir);
        var found = FindInterpreter(fs, dir);
        if (found is null)
            throw new PyFreezeException($"--runtime {shown}: {DescribeForeign(dir) ?? "holds no bin/python3.X beside lib/python3.X/os.py (looked in " + string.Join(", ", Prefixes.Select(p => p.Length == 0 ? "the folder itself" : p + "/")) + ")"}, not a CPython for {rid.Name}; {Advice(rid)}", 2);
        var (prefix, exe, minor) = found.Value;
        var shownExe = Path.GetRelativePath(dir, exe);
        var real = fs.GetRealPath(exe);
        BinaryInfo? info;
        try
        {
            using var s = fs.OpenRead(real);
            var format = BinaryInspector.Identify(s);
            if (format != BinaryFormat.Elf)
            {
                var what = format switch { BinaryFormat.MachO => "a macOS (Mach-O) executable", BinaryFormat.Pe => "a Windows (PE) executable", _ => "not an ELF executable" };
                throw new PyFreezeException($"--runtime {shown}: {shownExe} is {what}, not a Linux CPython for {rid.Name}; {Advice(rid)}", 2);
            }
            info = BinaryInspector.Read(s, real);
        }
        catch (BinaryFormatException e)
        {
            throw new PyFreezeException($"--runtime {shown}: {shownExe} is not a usable executable ({e.Problem}); the file is damaged or cut short: unpack the runtime again", 1, e);
        }
        if (info?.Elf is null)
            throw new PyFreezeException($"--runtime {shown}: {shownExe} is not an ELF executable, not a Linux CPython for {rid.Name}; {Advice(rid)}", 2);
        var elf = info.Elf;
        if (info.Architecture != rid.Architecture || elf.Class != ElfClass.Elf64 || elf.Data != ElfData.LittleEndian)
            throw new PyFreezeException($"--runtime {shown}: {shownExe} is an ELF{(elf.Class == ElfClass.Elf64 ? 64 : 32)} {elf.MachineName} executable, not for {rid.Name} ({ExpectedMachine(rid)}); {Advice(rid)}", 2);
        var micro = TargetRuntime.CheckArchiveName(source, shown, minor, shownExe);
        var stdlib = Path.Combine(prefix, "lib", $"python3.{minor}");
        var multiarch = LinuxLibraryResolver.MultiarchTuple(elf) ?? "";

        // libpython: a DT_NEEDED of the interpreter (python-build-standalone, --enable-shared), resolved as ld.so would
        // inside the sysroot; Debian's interpreter has it linked in.
        string? libpython = null;
        if (elf.Needed.FirstOrDefault(n => n.StartsWith($"libpython3.{minor}", StringComparison.Ordinal)) is { } needed)
        {
            var resolver = new LinuxLibraryResolver(fs, new LinuxLoaderOptions { Sysroot = fs.Root, CachePath = LdSoCache.DefaultPath });
            var res = resolver.Resolve(needed, new LoadedBinary(real, info));
            libpython = res.Path is { } p ? fs.GetRealPath(p) : throw new PyFreezeException($"--runtime {shown}: {shownExe} needs {needed}, which is not in the runtime (looked in {LookedIn(dir, res)}); the runtime is incomplete: unpack the package that holds it into the folder too (Debian: libpython3.{minor}:{DebianArch(rid)}) or give python-build-standalone's whole install_only archive", 2);
        }
        var symbolFiles = libpython is null ? new[] { real } : [libpython, real];
        micro ??= symbolFiles.Select(f => VersionInBinary(f, minor)).FirstOrDefault(m => m is not null);

        var sysconfig = Directory.Exists(stdlib) ? Directory.EnumerateFiles(stdlib, "_sysconfigdata_*.py").Select(Path.GetFileName).OfType<string>().ToList() : [];
        var sysconfigName = SysconfigdataName(stdlib, sysconfig, multiarch);
        var sysconfigText = sysconfigName is null ? "" : File.ReadAllText(Path.Combine(stdlib, sysconfigName + ".py"));
        if (MultiarchVar().Match(sysconfigText) is { Success: true } ma && ma.Groups[1].Value != multiarch && multiarch.Length > 0)
            throw new PyFreezeException($"--runtime {shown}: lib/python3.{minor}/{sysconfigName}.py says MULTIARCH {ma.Groups[1].Value}, but {shownExe} is {multiarch}; the runtime mixes two machines: unpack the packages of one architecture ({DebianArch(rid)}) into an empty folder", 2);
        var soabi = SoabiVar().Match(sysconfigText) is { Success: true } sm ? sm.Groups[1].Value : $"cpython-3{minor}-{multiarch}";
        var extSuffix = ExtSuffixVar().Match(sysconfigText) is { Success: true } es ? es.Groups[1].Value : $".{soabi}.so";

        var builtins = new SortedSet<string>(CoreBuiltins, StringComparer.Ordinal);
        foreach (var f in symbolFiles)
        {
            try
            {
                foreach (var s in ElfSymbols.Defined(f))
                    if (s.StartsWith("PyInit_", StringComparison.Ordinal))
                        builtins.Add(s["PyInit_".Length..]);
            }
            catch (BinaryFormatException e)
            {
                throw new PyFreezeException($"--runtime {shown}: cannot read the symbols of {Path.GetRelativePath(dir, f)} ({e.Problem}); the file is damaged or cut short: unpack the runtime again", 1, e);
            }
        }

        var site = new[]
            {
                Path.Combine(prefix, "local", "lib", $"python3.{minor}", "dist-packages"), Path.Combine(prefix, "lib", "python3", "dist-packages"),
                Path.Combine(stdlib, "dist-packages"), Path.Combine(stdlib, "site-packages"),
            }
            .Where(Directory.Exists).ToList();
        var layout = (Path.GetFileName(prefix) is "usr" or "local" ? "a Debian-style root" : "a python-build-standalone-style tree") + $" ({shownExe})";
        var facts = new LinuxRuntimeFacts(
            fs.Root, prefix, layout, multiarch, soabi, [extSuffix, ".abi3.so", ".so"], [.. builtins], site, sysconfigName,
            Glibc(fs, multiarch), OpensslPaths(fs, prefix, multiarch, symbolFiles));
        return new TargetRuntime
        {
            Source = source, Sha256 = sha, Rid = rid, Root = prefix, Major = 3, Minor = minor, Micro = micro,
            Stdlib = stdlib, Dynload = Path.Combine(stdlib, "lib-dynload"), Library = libpython ?? real, Interpreter = real,
            Magic = TargetRuntime.FirstPycMagic(stdlib), Linux = facts,
        };
    }

    /// <summary>The interpreter facts of a Linux runtime for the analysis and collection (see
    /// <see cref="TargetRuntime.TargetInterpreter"/>): its standard library, extension folder, builtins, suffixes and
    /// site-packages (the given ones first, then the runtime's own); frozen and standard module names from the host
    /// compiler of the same version. The given site-packages are checked for binaries of another machine first.</summary>
    /// <param name="runtime">A runtime read by <see cref="Read"/>.</param>
    /// <param name="host">The host compiler, of the same minor version.</param>
    /// <param name="sitePackages">The <c>--target-site-packages</c> folders, absolute, existing.</param>
    /// <exception cref="PyFreezeException">A site-packages folder holds an extension module or library of another
    /// machine or OS.</exception>
    public static InterpreterInfo Interpreter(TargetRuntime runtime, InterpreterInfo host, IReadOnlyList<string> sitePackages)
    {
        var facts = runtime.Linux ?? throw new ArgumentException("not a Linux runtime", nameof(runtime));
        foreach (var dir in sitePackages)
            CheckSitePackages(dir, runtime.Rid);
        var site = sitePackages.Concat(facts.SitePackages).Distinct(StringComparer.Ordinal).ToList();
        var stdlib = runtime.Stdlib!;
        var exe = runtime.Interpreter!;
        var libpython = runtime.Library == exe ? null : runtime.Library;
        return new InterpreterInfo
        {
            Implementation = "cpython",
            Version = [.. new object[] { runtime.Major, runtime.Minor, runtime.Micro ?? host.Micro, "final", 0 }.Select(v => JsonSerializer.SerializeToElement(v))],
            Magic = host.Magic,
            CacheTag = host.CacheTag,
            Executable = exe,
            BaseExecutable = exe,
            RealExecutable = exe,
            Prefix = facts.Prefix,
            BasePrefix = facts.Prefix,
            Platlibdir = "lib",
            Platform = "linux",
            Machine = facts.Multiarch.Split('-')[0],
            Stdlib = stdlib,
            Platstdlib = stdlib,
            LibDynload = runtime.Dynload,
            SysPath = [stdlib, runtime.Dynload, .. site],
            SitePackages = [.. site],
            ExtensionSuffixes = [.. facts.ExtensionSuffixes],
            SourceSuffixes = [".py"],
            BytecodeSuffixes = [".pyc"],
            BuiltinModules = [.. facts.BuiltinModules],
            FrozenModules = host.FrozenModules,
            StdlibModuleNames = host.StdlibModuleNames,
            Soabi = facts.Soabi,
            Multiarch = facts.Multiarch,
            Shared = libpython is not null,
            GilDisabled = false,
            Libpython = libpython,
            Sysconfigdata = facts.Sysconfigdata,
            Glibc = facts.Glibc,
            OpensslPaths = facts.OpensslPaths,
            EntryError = host.EntryError,
        };
    }

    /// <summary>Fails when a target site-packages folder holds a binary for another machine or OS: an ELF shared
    /// object of another CPU or class (an x86-64 <c>numpy</c> given for arm64), a Windows <c>.pyd</c> or a macOS
    /// <c>.dylib</c>/Mach-O. Only the first bytes of each <c>.so</c>, <c>.so.N</c>, <c>.pyd</c> and <c>.dylib</c> file are read.</summary>
    /// <param name="dir">The folder.</param>
    /// <param name="rid">The target (a Linux RID).</param>
    /// <exception cref="PyFreezeException">The first such file, named, with what to do.</exception>
    public static void CheckSitePackages(string dir, Rid rid)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var file in Directory.EnumerateFiles(dir, "*", options).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (!(name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal)
                  || name.EndsWith(".pyd", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".dylib", StringComparison.Ordinal)))
                continue;
            var rel = Path.GetRelativePath(dir, file);
            string? problem;
            try
            {
                problem = ForeignBinary(file, rid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (problem is not null)
                throw new PyFreezeException($"--target-site-packages {dir}: {rel} is {problem}, not for {rid.Name} ({ExpectedMachine(rid)}); install the packages for {rid.Name} (Debian: apt-get download PACKAGE:{DebianArch(rid)} and dpkg -x; pip: pip install --platform manylinux2014_{ExpectedMachine(rid)} --only-binary=:all: --target DIR)", 2);
        }
    }

    /// <summary>What <paramref name="file"/> is when it is a binary of another machine or OS ("an ELF64 x86_64 shared
    /// object"), or null when it is for <paramref name="rid"/> or not a binary at all.</summary>
    private static string? ForeignBinary(string file, Rid rid)
    {
        using var f = File.OpenRead(file);
        var format = BinaryInspector.Identify(f);
        if (format is null)
            return null;
        if (format == BinaryFormat.Pe)
            return "a Windows (PE) binary";
        if (format == BinaryFormat.MachO)
            return "a macOS (Mach-O) binary";
        f.Position = 0;
        var head = new byte[20];
        if (f.ReadAtLeast(head, 20, throwOnEndOfStream: false) < 20)
            return null;
        var elfClass = (ElfClass)head[4];
        var data = (ElfData)head[5];
        var machine = data == ElfData.BigEndian ? (ushort)(head[18] << 8 | head[19]) : (ushort)(head[18] | head[19] << 8);
        return ElfFile.GetArchitecture(machine, elfClass, data) == rid.Architecture && elfClass == ElfClass.Elf64
            ? null
            : $"an ELF{(elfClass == ElfClass.Elf64 ? 64 : 32)} {ElfFile.GetMachineName(machine, elfClass)} shared object";
    }

    /// <summary>Finds <c>PREFIX/bin/python3.X</c> with <c>PREFIX/lib/python3.X/os.py</c> under the first prefix that has
    /// one (the highest minor version there).</summary>
    private static (string Prefix, string Exe, int Minor)? FindInterpreter(SysrootFileSystem fs, string dir)
    {
        foreach (var p in Prefixes)
        {
            var prefix = p.Length == 0 ? dir : Path.Combine(dir, p);
            var bin = Path.Combine(prefix, "bin");
            if (!fs.DirectoryExists(bin))
                continue;
            var best = fs.EnumerateNames(bin)
                .Select(n => InterpreterName().Match(n))
                .Where(m => m.Success)
                .Select(m => (Name: m.Value, Minor: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)))
                .Where(c => fs.FileExists(Path.Combine(prefix, "lib", $"python3.{c.Minor}", "os.py")) && fs.FileExists(Path.Combine(bin, c.Name)))
                .OrderByDescending(c => c.Minor)
                .FirstOrDefault();
            if (best.Name is not null)
                return (prefix, Path.Combine(bin, best.Name), best.Minor);
        }
        return null;
    }

    /// <summary>What another platform's runtime folder is ("a CPython for Windows (python311.dll)"), or null.</summary>
    private static string? DescribeForeign(string dir)
    {
        foreach (var p in Prefixes)
        {
            var prefix = p.Length == 0 ? dir : Path.Combine(dir, p);
            if (!Directory.Exists(prefix))
                continue;
            var dll = Directory.EnumerateFiles(prefix).Select(Path.GetFileName).FirstOrDefault(n => n!.StartsWith("python3", StringComparison.OrdinalIgnoreCase) && n.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
            if (dll is not null)
                return $"is a CPython for Windows ({dll})";
            var lib = Path.Combine(prefix, "lib");
            var dylib = Directory.Exists(lib) ? Directory.EnumerateFiles(lib, "libpython3*.dylib").Select(Path.GetFileName).FirstOrDefault() : null;
            if (dylib is not null)
                return $"is a CPython for macOS (lib/{dylib})";
        }
        return null;
    }

    /// <summary>The folders a failed library search looked in, relative to the runtime folder, on one line.</summary>
    private static string LookedIn(string dir, LibraryResolution res) => res.Attempts.Count == 0 ? "no folder"
        : string.Join(", ", res.Attempts.Select(a => Path.GetRelativePath(dir, Path.GetDirectoryName(a.Candidate) ?? a.Candidate) + "/").Distinct(StringComparer.Ordinal));

    private static string Advice(Rid rid) =>
        $"give an {ExpectedMachine(rid)} CPython: a folder of Debian's python3.X-minimal:{DebianArch(rid)}, libpython3.X-minimal:{DebianArch(rid)} and libpython3.X-stdlib:{DebianArch(rid)} unpacked with dpkg -x, or python-build-standalone's …-{ExpectedMachine(rid)}-unknown-linux-gnu-install_only.tar.gz";

    private static string ExpectedMachine(Rid rid) => rid.Architecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
        System.Runtime.InteropServices.Architecture.X64 => "x86_64",
        var a => a.ToString().ToLowerInvariant(),
    };

    private static string DebianArch(Rid rid) => rid.Architecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        var a => a.ToString().ToLowerInvariant(),
    };

    /// <summary>The <c>_sysconfigdata_*</c> module the runtime's own <c>sysconfig._get_sysconfigdata_name()</c> computes:
    /// Debian's <c>_sysconfigdata__TUPLE</c> when its sysconfig.py leaves the platform out, else upstream's
    /// <c>_sysconfigdata__linux_TUPLE</c> (Lib/sysconfig.py); the first one present when neither is.</summary>
    private static string? SysconfigdataName(string stdlib, IReadOnlyList<string> files, string multiarch)
    {
        var sysconfig = Path.Combine(stdlib, "sysconfig.py");
        var debianNaming = File.Exists(sysconfig) && File.ReadAllText(sysconfig).Contains("f'_sysconfigdata_{sys.abiflags}_{multiarch}'", StringComparison.Ordinal);
        string[] wanted = debianNaming ? [$"_sysconfigdata__{multiarch}.py", $"_sysconfigdata__linux_{multiarch}.py"] : [$"_sysconfigdata__linux_{multiarch}.py", $"_sysconfigdata__{multiarch}.py"];
        var name = wanted.FirstOrDefault(files.Contains) ?? files.Order(StringComparer.Ordinal).FirstOrDefault();
        return name is null ? null : Path.GetFileNameWithoutExtension(name);
    }

    /// <summary>The micro version compiled into a CPython binary: the most frequent NUL-terminated <c>3.X.N</c>
    /// string (PY_VERSION, Include/patchlevel.h; <c>3.X.NrcM</c> and a trailing <c>+</c> allowed), or null.</summary>
    private static int? VersionInBinary(string file, int minor)
    {
        var data = (ReadOnlySpan<byte>)File.ReadAllBytes(file);
        var marker = Encoding.ASCII.GetBytes($"3.{minor}.");
        var counts = new Dictionary<int, int>();
        for (var at = data.IndexOf(marker); at >= 0;)
        {
            var before = at == 0 ? (byte)0 : data[at - 1];
            var i = at + marker.Length;
            var start = i;
            while (i < data.Length && i - start < 3 && char.IsAsciiDigit((char)data[i]))
                i++;
            var digits = i - start;
            while (i < data.Length && (char.IsAsciiLetterLower((char)data[i]) || char.IsAsciiDigit((char)data[i]) || data[i] == '+'))
                i++;
            if (digits > 0 && i < data.Length && data[i] == 0 && !char.IsAsciiDigit((char)before) && before != '.')
            {
                var micro = int.Parse(Encoding.ASCII.GetString(data.Slice(start, digits)), CultureInfo.InvariantCulture);
                counts[micro] = counts.GetValueOrDefault(micro) + 1;
            }
            var next = data[(at + 1)..].IndexOf(marker);
            at = next < 0 ? -1 : at + 1 + next;
        }
        return counts.Count == 0 ? null : counts.MaxBy(kv => kv.Value).Key;
    }

    /// <summary>The text after <paramref name="marker"/> in <paramref name="file"/>, up to <paramref name="end"/> (a
    /// byte that is not part of it: a quote, NUL or space), or null when the marker is not there.</summary>
    private static string? StringAfter(SysrootFileSystem fs, string file, string marker, params byte[] end)
    {
        using var s = fs.OpenRead(file);
        var data = new byte[s.Length];
        s.ReadExactly(data);
        var span = (ReadOnlySpan<byte>)data;
        var at = span.IndexOf(Encoding.ASCII.GetBytes(marker));
        if (at < 0)
            return null;
        var rest = span[(at + marker.Length)..];
        var len = rest.IndexOfAny(end);
        return len <= 0 ? null : Encoding.UTF8.GetString(rest[..len]);
    }

    /// <summary>"glibc 2.36" from the sysroot's <c>libc.so.6</c> banner, or null when the sysroot holds no glibc.</summary>
    private static string? Glibc(SysrootFileSystem fs, string multiarch)
    {
        foreach (var dir in new[] { $"/lib/{multiarch}", $"/usr/lib/{multiarch}", "/lib64", "/usr/lib64", "/lib", "/usr/lib" })
        {
            var libc = fs.Rebase(dir + "/libc.so.6");
            if (fs.FileExists(libc) && StringAfter(fs, libc, "release version ", (byte)'.', 0) is { } major
                && StringAfter(fs, libc, $"release version {major}.", (byte)'.', (byte)',', (byte)' ', 0, (byte)'\n') is { } minor)
                return $"glibc {major}.{minor}";
        }
        return null;
    }

    /// <summary>The default CA file and folder of the runtime's OpenSSL (<c>OPENSSLDIR/cert.pem</c>,
    /// <c>OPENSSLDIR/certs</c>, as <c>ssl.get_default_verify_paths()</c> reports them), from the <c>OPENSSLDIR: "…"</c>
    /// string of its libcrypto (in the sysroot's library folders or the prefix's <c>lib/</c>), else of libpython or the
    /// interpreter (python-build-standalone links OpenSSL in); null when none says.</summary>
    private static string[]? OpensslPaths(SysrootFileSystem fs, string prefix, string multiarch, IEnumerable<string> pythonFiles)
    {
        var candidates = new List<string>();
        foreach (var dir in new[] { fs.Rebase($"/usr/lib/{multiarch}"), fs.Rebase($"/lib/{multiarch}"), Path.Combine(prefix, "lib") })
            foreach (var name in new[] { "libcrypto.so.3", "libcrypto.so.1.1" })
                candidates.Add(Path.Combine(dir, name));
        candidates.AddRange(pythonFiles);
        foreach (var c in candidates.Where(fs.FileExists))
            if (StringAfter(fs, c, "OPENSSLDIR: \"", (byte)'"', 0) is { } dir)
                return [dir.TrimEnd('/') + "/cert.pem", dir.TrimEnd('/') + "/certs"];
        return null;
    }
}

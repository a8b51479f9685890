namespace PyFreeze.Binaries;

/// <summary>Inputs of the Linux loader model that come from the environment or the target system rather than the
/// binaries, so the build decides them (nothing is read from the process environment).</summary>
public sealed class LinuxLoaderOptions
{
    /// <summary>The directories of <c>LD_LIBRARY_PATH</c>, in order (already split; may contain <c>$ORIGIN</c>, which
    /// refers to the executable's directory). Default: none.</summary>
    public IReadOnlyList<string> LibraryPath { get; init; } = [];

    /// <summary>Where the ld.so cache is read from through the file system; null to search without a cache.
    /// Ignored when <see cref="Cache"/> is set. A missing file means no cache.</summary>
    public string? CachePath { get; init; } = LdSoCache.DefaultPath;

    /// <summary>An already parsed cache to use instead of <see cref="CachePath"/>.</summary>
    public LdSoCache? Cache { get; init; }

    /// <summary>Also take ld.so.cache entries built for a hardware capability (glibc-hwcaps subdirectories such as
    /// <c>x86-64-v3</c>). Default false: a bundle must run on any CPU of the architecture, so the baseline build is
    /// taken (for the same reason the <c>glibc-hwcaps/</c> and legacy hwcap subdirectories of the search directories
    /// are not searched).</summary>
    public bool IncludeHwcapCacheEntries { get; init; }

    /// <summary>The trusted default directories searched last. Null: per machine, see
    /// <see cref="LinuxLibraryResolver.DefaultDirectoriesFor"/>.</summary>
    public IReadOnlyList<string>? DefaultDirectories { get; init; }

    /// <summary>The expansion of <c>$LIB</c>. Null: <c>lib/&lt;multiarch tuple&gt;</c> when that directory exists
    /// (Debian, Ubuntu), else <c>lib64</c> for 64-bit objects (Fedora, RHEL, SUSE), else <c>lib</c>.</summary>
    public string? Lib { get; init; }

    /// <summary>The expansion of <c>$PLATFORM</c> (the kernel's AT_PLATFORM). Null: <c>x86_64</c>, <c>i686</c>,
    /// <c>aarch64</c>, <c>v7l</c> … by machine.</summary>
    public string? Platform { get; init; }

    /// <summary>The directory relative names and empty search path elements are taken against (ld.so uses the
    /// process's working directory). Null: <see cref="Environment.CurrentDirectory"/>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The target machine's root on the build machine (a cross build's runtime folder), or null for this
    /// machine. When set, every absolute path the loader would search names a file of the target and is taken inside
    /// it: absolute DT_NEEDED names, the literal absolute elements of DT_RPATH, DT_RUNPATH and
    /// <see cref="LibraryPath"/>, <see cref="CachePath"/> and the cache's entries, and the default directories.
    /// <c>$ORIGIN</c> still expands to the requester's own folder. Use it with a <see cref="SysrootFileSystem"/> of
    /// the same root, so the target's absolute symbolic links stay inside it too.</summary>
    public string? Sysroot { get; init; }
}

/// <summary>
/// Resolves a DT_NEEDED name for a requesting object as glibc's ld.so does (ld.so(8) "Rpath token expansion" and the
/// search order; glibc <c>elf/dl-load.c</c> <c>_dl_map_object</c>), as pure logic over an <see cref="ILoaderFileSystem"/>:
/// <list type="number">
/// <item>A name containing '/' is used as is (relative to the working directory).</item>
/// <item>Unless the requester has DT_RUNPATH: the DT_RPATH of the requester, then of the object that loaded it, and
/// so on up the loading chain, then of the executable (RPATH is inherited, RUNPATH is not; an object that has both
/// tags has no effective RPATH).</item>
/// <item><c>LD_LIBRARY_PATH</c> (<see cref="LinuxLoaderOptions.LibraryPath"/>).</item>
/// <item>The requester's DT_RUNPATH.</item>
/// <item><c>/etc/ld.so.cache</c>, entries whose flags match the requester's class and machine (entries under a default
/// directory are skipped when the requester has DF_1_NODEFLIB).</item>
/// <item>The default directories, unless the requester has DF_1_NODEFLIB.</item>
/// </list>
/// <c>$ORIGIN</c>, <c>${ORIGIN}</c>, <c>$LIB</c>, <c>${LIB}</c>, <c>$PLATFORM</c>, <c>${PLATFORM}</c> are expanded in
/// each element (<c>$ORIGIN</c> = the directory of the object holding the path). A candidate of another ELF class,
/// byte order or machine is skipped and the search goes on, as ld.so's <c>open_verify</c> does. Unlike ld.so, a
/// candidate that is not valid ELF is also skipped (ld.so would fail the load).
/// </summary>
/// <threadsafety>An instance caches what it learns about candidate files and is not thread-safe: use one per walk.</threadsafety>
public sealed class LinuxLibraryResolver
{
    private readonly ILoaderFileSystem _fs;
    private readonly LinuxLoaderOptions _options;
    private readonly BinaryProbes<ElfFile> _candidates;
    private LdSoCache? _cache;
    private bool _cacheLoaded;


    /// <summary>Creates a resolver over <paramref name="fs"/>.</summary>
    /// <param name="fs">The file system to search (the real disk or an in-memory tree).</param>
    /// <param name="options">Environment inputs; null for the defaults (no LD_LIBRARY_PATH, /etc/ld.so.cache).</param>
    public LinuxLibraryResolver(ILoaderFileSystem fs, LinuxLoaderOptions? options = null)
    {
        _fs = fs ?? throw new ArgumentNullException(nameof(fs));
        _candidates = new BinaryProbes<ElfFile>(fs, ReadHeader);
        _options = options ?? new LinuxLoaderOptions();
    }

    /// <summary>The ld.so cache in use, or null (none configured, or the file is missing or unreadable).</summary>
    /// <exception cref="BinaryFormatException">The configured cache file is corrupt.</exception>
    public LdSoCache? Cache
    {
        get
        {
            if (_cacheLoaded)
                return _cache;
            _cacheLoaded = true;
            _cache = _options.Cache;
            if (_cache is null && _options.CachePath is { } cachePath && Rooted(cachePath) is var p && _fs.FileExists(p))
            {
                using var s = _fs.OpenRead(p);
                _cache = LdSoCache.Read(s, p);
            }
            return _cache;
        }
    }

    /// <summary>Resolves <paramref name="name"/> needed by <paramref name="requester"/>.</summary>
    /// <param name="name">A DT_NEEDED name, e.g. <c>libssl.so.3</c>.</param>
    /// <param name="requester">The object whose DT_NEEDED it is (or that calls dlopen), with its loading chain.</param>
    /// <param name="executable">The main program (its DT_RPATH is searched after the chain's; its directory is
    /// <c>$ORIGIN</c> in LD_LIBRARY_PATH). Null: the top of <paramref name="requester"/>'s chain.</param>
    /// <returns>The path found or null, with every candidate tried.</returns>
    /// <exception cref="ArgumentException"><paramref name="requester"/> is not an ELF file.</exception>
    /// <exception cref="BinaryFormatException">The configured ld.so cache file is corrupt.</exception>
    public LibraryResolution Resolve(string name, LoadedBinary requester, LoadedBinary? executable = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(requester);
        var elf = requester.Info.Elf ?? throw new ArgumentException($"{requester.Path}: not an ELF file", nameof(requester));
        var exe = executable ?? requester.Chain.Last();
        var attempts = new List<SearchAttempt>();

        if (name.Contains('/'))
        {
            var path = name.StartsWith('/') ? Rooted(name) : PosixPath.Join(WorkingDirectory, name);
            var outcome = Check(path, elf, "name contains '/'", attempts);
            return new LibraryResolution(name, requester.Path, outcome ? path : null, attempts);
        }

        string? Search(IEnumerable<string> dirs, string source)
        {
            foreach (var dir in dirs)
            {
                var path = PosixPath.Join(dir, name);
                if (Check(path, elf, source, attempts))
                    return path;
            }
            return null;
        }

        LibraryResolution Done(string? path, string? note = null) => new(name, requester.Path, path, attempts, note);

        if (elf.RunPathString is null)
        {
            var didMain = false;
            foreach (var l in requester.Chain)
            {
                var rpath = l.Info.Elf?.EffectiveRPath ?? [];
                if (rpath.Count == 0)
                    continue;
                if (Search(ExpandSearchPath(rpath, l), $"RPATH of {l.Path}") is { } found)
                    return Done(found);
                didMain |= ReferenceEquals(l, exe);
            }
            if (!didMain && exe.Info.Elf?.EffectiveRPath is { Count: > 0 } exeRpath
                && Search(ExpandSearchPath(exeRpath, exe), $"RPATH of {exe.Path}") is { } f2)
                return Done(f2);
        }

        if (_options.LibraryPath.Count > 0 && Search(ExpandSearchPath(_options.LibraryPath, exe), "LD_LIBRARY_PATH") is { } f3)
            return Done(f3);

        if (elf.RunPathString is not null && Search(ExpandSearchPath(elf.RunPath, requester), $"RUNPATH of {requester.Path}") is { } f4)
            return Done(f4);

        var defaults = (_options.DefaultDirectories ?? DefaultDirectoriesFor(elf)).Select(Rooted).ToList();
        if (Cache?.Lookup(name, LdSoCache.FlagsFor(elf), _options.IncludeHwcapCacheEntries) is { } entry)
        {
            var entryPath = Rooted(entry.Path);
            if (elf.NoDefaultLib && defaults.Any(d => entryPath.StartsWith(d.TrimEnd('/') + "/", StringComparison.Ordinal)))
                attempts.Add(new SearchAttempt(entryPath, "ld.so.cache", SearchOutcome.Skipped,
                    $"in a default directory and {requester.Path} has DF_1_NODEFLIB"));
            else if (Check(entryPath, elf, "ld.so.cache", attempts))
                return Done(entryPath);
        }

        if (elf.NoDefaultLib)
            return Done(null, $"default directories not searched: {requester.Path} has DF_1_NODEFLIB");
        return Done(Search(defaults, "default directory"));
    }

    private string WorkingDirectory => _options.WorkingDirectory ?? Environment.CurrentDirectory;

    /// <summary>An absolute path of the target machine as a path on the build machine: inside
    /// <see cref="LinuxLoaderOptions.Sysroot"/> when one is set, else unchanged.</summary>
    private string Rooted(string path) =>
        _options.Sysroot is { Length: > 0 } root && path.StartsWith('/') ? root.TrimEnd('/') + PosixPath.Normalize(path) : path;

    /// <summary>Expands the dynamic string tokens of each element and makes the list ld.so searches: empty elements
    /// mean the working directory, relative elements are taken against it, elements that expand to nothing are
    /// dropped, duplicates are removed (glibc <c>fillin_rpath</c>).</summary>
    /// <param name="elements">DT_RPATH/DT_RUNPATH/LD_LIBRARY_PATH elements.</param>
    /// <param name="owner">The object the path belongs to (its directory is <c>$ORIGIN</c>).</param>
    public IReadOnlyList<string> ExpandSearchPath(IEnumerable<string> elements, LoadedBinary owner)
    {
        ArgumentNullException.ThrowIfNull(elements);
        ArgumentNullException.ThrowIfNull(owner);
        var result = new List<string>();
        foreach (var element in elements)
        {
            string dir;
            if (element.Length == 0)
                dir = WorkingDirectory;
            else
            {
                // a literal absolute element names the target's folder; $ORIGIN expands to the owner's own (host) folder
                dir = ExpandTokens(Rooted(element), owner);
                if (dir.Length == 0)
                    continue;
                if (!dir.StartsWith('/'))
                    dir = PosixPath.Join(WorkingDirectory, dir);
                if (dir.Length > 1)
                    dir = dir.TrimEnd('/');
                if (dir.Length == 0)
                    dir = "/";
            }
            if (!result.Contains(dir))
                result.Add(dir);
        }
        return result;
    }

    /// <summary>Replaces <c>$ORIGIN</c>, <c>$LIB</c>, <c>$PLATFORM</c> (or the <c>${…}</c> forms) in one element
    /// (ld.so(8) "Dynamic string tokens"). The bare form counts only when followed by '/' or the end of the element;
    /// an unknown <c>$NAME</c> is kept literally, as glibc does.</summary>
    /// <param name="element">One search path element.</param>
    /// <param name="owner">Object whose directory is <c>$ORIGIN</c>.</param>
    public string ExpandTokens(string element, LoadedBinary owner)
    {
        ArgumentNullException.ThrowIfNull(element);
        ArgumentNullException.ThrowIfNull(owner);
        if (!element.Contains('$'))
            return element;
        var elf = owner.Info.Elf;
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < element.Length;)
        {
            if (element[i] != '$')
            {
                sb.Append(element[i++]);
                continue;
            }
            var rest = element.AsSpan(i + 1);
            int len;
            if ((len = TokenLength(rest, "ORIGIN")) > 0)
                sb.Append(owner.Directory);
            else if ((len = TokenLength(rest, "PLATFORM")) > 0)
                sb.Append(_options.Platform ?? (elf is null ? "" : PlatformFor(elf)));
            else if ((len = TokenLength(rest, "LIB")) > 0)
                sb.Append(_options.Lib ?? (elf is null ? "lib" : LibFor(elf)));
            else
            {
                sb.Append('$');
                i++;
                continue;
            }
            i += 1 + len;
        }
        return sb.ToString();
    }

    private static int TokenLength(ReadOnlySpan<char> rest, string token)
    {
        if (rest.Length >= token.Length + 2 && rest[0] == '{' && rest[1..].StartsWith(token, StringComparison.Ordinal) && rest[token.Length + 1] == '}')
            return token.Length + 2;
        if (rest.StartsWith(token, StringComparison.Ordinal) && (rest.Length == token.Length || rest[token.Length] == '/'))
            return token.Length;
        return 0;
    }

    private string LibFor(ElfFile elf)
    {
        if (MultiarchTuple(elf) is { } tuple && (_fs.DirectoryExists(Rooted("/lib/" + tuple)) || _fs.DirectoryExists(Rooted("/usr/lib/" + tuple))))
            return "lib/" + tuple;
        return elf.Class == ElfClass.Elf64 ? "lib64" : "lib";
    }

    /// <summary>The AT_PLATFORM string the kernel passes for this machine: <c>x86_64</c>, <c>i686</c>,
    /// <c>aarch64</c>, <c>v7l</c>, else the machine name.</summary>
    /// <param name="elf">An object of the machine.</param>
    public static string PlatformFor(ElfFile elf) => elf.Machine switch
    {
        62 => "x86_64",
        3 => "i686",
        183 => "aarch64",
        40 => "v7l",
        _ => elf.MachineName,
    };

    /// <summary>The Debian multiarch tuple of the object's ABI (<c>x86_64-linux-gnu</c>, <c>i386-linux-gnu</c>,
    /// <c>aarch64-linux-gnu</c>, <c>arm-linux-gnueabihf</c> …), or null when unknown.</summary>
    /// <param name="elf">An object of the machine.</param>
    public static string? MultiarchTuple(ElfFile elf)
    {
        ArgumentNullException.ThrowIfNull(elf);
        var is64 = elf.Class == ElfClass.Elf64;
        return elf.Machine switch
        {
            62 => is64 ? "x86_64-linux-gnu" : "x86_64-linux-gnux32",
            3 => "i386-linux-gnu",
            183 => "aarch64-linux-gnu",
            40 => (elf.ProcessorFlags & 0x400) != 0 ? "arm-linux-gnueabihf" : "arm-linux-gnueabi",
            21 => elf.Data == ElfData.LittleEndian ? "powerpc64le-linux-gnu" : "powerpc64-linux-gnu",
            22 => is64 ? "s390x-linux-gnu" : null,
            243 => is64 ? "riscv64-linux-gnu" : null,
            258 => "loongarch64-linux-gnu",
            8 => null,
            _ => null,
        };
    }

    /// <summary>The default ("trusted") directories for objects like <paramref name="elf"/>: the multiarch pair
    /// <c>/lib/&lt;tuple&gt;</c>, <c>/usr/lib/&lt;tuple&gt;</c> (Debian, Ubuntu), then for 64-bit objects
    /// <c>/lib64</c>, <c>/usr/lib64</c> (Fedora, RHEL, SUSE), then <c>/lib</c>, <c>/usr/lib</c>. Candidates of the
    /// wrong class found there are skipped, so the union is safe on every distribution.</summary>
    /// <param name="elf">The requesting object.</param>
    public static IReadOnlyList<string> DefaultDirectoriesFor(ElfFile elf)
    {
        ArgumentNullException.ThrowIfNull(elf);
        var dirs = new List<string>();
        if (MultiarchTuple(elf) is { } t)
        {
            dirs.Add("/lib/" + t);
            dirs.Add("/usr/lib/" + t);
        }
        if (elf.Class == ElfClass.Elf64)
        {
            dirs.Add("/lib64");
            dirs.Add("/usr/lib64");
        }
        dirs.Add("/lib");
        dirs.Add("/usr/lib");
        return dirs;
    }

    /// <summary>ld.so's <c>open_verify</c>: the candidate exists and is ELF of the requester's class, byte order and
    /// machine. Records the attempt.</summary>
    private bool Check(string path, ElfFile requester, string source, List<SearchAttempt> attempts)
    {
        var c = _candidates.Get(path);
        if (!c.Exists)
        {
            attempts.Add(new SearchAttempt(path, source, SearchOutcome.NotFound));
            return false;
        }
        if (c.File is not { } h)
        {
            attempts.Add(new SearchAttempt(path, source, SearchOutcome.Invalid, c.Error));
            return false;
        }
        if (h.Class != requester.Class || h.Data != requester.Data || h.Machine != requester.Machine)
        {
            attempts.Add(new SearchAttempt(path, source, SearchOutcome.WrongArchitecture,
                $"ELF{(h.Class == ElfClass.Elf64 ? 64 : 32)} {h.MachineName}, need ELF{(requester.Class == ElfClass.Elf64 ? 64 : 32)} {requester.MachineName}"));
            return false;
        }
        attempts.Add(new SearchAttempt(path, source, SearchOutcome.Found));
        return true;
    }

    /// <summary>The ELF header only: ld.so's open_verify reads no more.</summary>
    private static ElfFile ReadHeader(Stream s, string path)
    {
        using var src = new ByteSource(s, path);
        return ElfFile.ReadHeaderOnly(src);
    }
}

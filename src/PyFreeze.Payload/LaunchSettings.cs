using System.Globalization;

namespace PyFreeze.Payload;

/// <summary>
/// What the bootloader needs to find its payload and start the frozen app. The build writes these values into the
/// bundle: for the NativeAOT bootloader as the bundle entry <see cref="PayloadLayout.SettingsEntry"/>
/// (<see cref="ToBytes"/>), found through the bundle manifest; for the single-file .NET host as
/// <c>configProperties</c> of the bundled <c>*.runtimeconfig.json</c>, which the host has parsed before <c>Main</c>
/// runs, so that bootloader reads them with <see cref="AppContext.GetData(string)"/>.
/// </summary>
/// <remarks>
/// All relative paths use <c>/</c> and are relative to the unpacked root (the cache directory of one
/// payload). Lists are joined with <see cref="ListSeparator"/>.
/// </remarks>
public sealed record LaunchSettings
{
    /// <summary>Prefix of every property name PyFreeze writes into the runtimeconfig.</summary>
    public const string Prefix = "PyFreeze.";

    /// <summary>Separator of list values (a unit separator: never part of a path or argument).</summary>
    public const char ListSeparator = '\u001f';

    /// <summary>Version of this contract; a bootloader refuses settings of a newer major version.</summary>
    public const int CurrentFormat = 2;

    /// <summary>Contract version the payload was built for.</summary>
    public int Format { get; init; } = CurrentFormat;

    /// <summary>The app's name: the executable's base name without extension, and part of the cache directory name.</summary>
    public required string AppName { get; init; }

    /// <summary>Offset in bytes of the payload (<see cref="PayloadFormat"/>) from the start of the executable file (for the
    /// NativeAOT bootloader: taken from the payload's bundle entry, 0 in the settings entry).</summary>
    public long PayloadOffset { get; init; }

    /// <summary>Length in bytes of the payload.</summary>
    public long PayloadLength { get; init; }

    /// <summary>SHA-256 of the payload bytes, 64 lower-case hex digits. Names the cache directory and proves an unpack complete.</summary>
    public required string PayloadSha256 { get; init; }

    /// <summary>XXH64 of the payload bytes, 16 lower-case hex digits: the bootloader's integrity check on first run
    /// (System.IO.Hashing's XxHash64, seed 0: pure managed code, so no OpenSSL is needed on the target).</summary>
    public required string PayloadXxh64 { get; init; }

    /// <summary>Relative path of the interpreter executable inside the unpacked root (e.g. <c>python/bin/hello</c>).</summary>
    public required string Interpreter { get; init; }

    /// <summary>Relative directories that hold bundled shared libraries; put first on the loader path of the interpreter.</summary>
    public IReadOnlyList<string> LibraryDirs { get; init; } = [];

    /// <summary>Interpreter options placed before the boot script (e.g. <c>-I</c>, <c>-S</c>, <c>-B</c>, <c>-O</c>).</summary>
    public IReadOnlyList<string> PythonOptions { get; init; } = [];

    /// <summary>Relative path of the compiled boot module that prepares <c>sys</c> and runs the entry.</summary>
    public required string BootScript { get; init; }

    /// <summary>How the interpreter is started: <c>exec</c> (POSIX execv) or <c>inprocess</c> (Windows, the python DLL loaded into the bootloader).</summary>
    public string LaunchMode { get; init; } = "exec";

    /// <summary>Relative path of the python shared library to load in process (Windows only), else empty.</summary>
    public string PythonLibrary { get; init; } = "";

    /// <summary>True for a <c>--onedir</c> build: the payload is already unpacked beside the executable (no cache).</summary>
    public bool OneDir { get; init; }

    /// <summary>True for a GUI app: on Windows errors go to a message box and a log file instead of a console.</summary>
    public bool Windowed { get; init; }

    /// <summary>The oldest glibc the bundled binaries run on (<c>2.38</c>: the newest <c>GLIBC_2.x</c> symbol version they
    /// need, read from their ELF version-needed sections), checked by the bootloader before it unpacks; empty when
    /// nothing needs glibc (or off Linux).</summary>
    public string GlibcFloor { get; init; } = "";

    /// <summary>The bundled file that needs <see cref="GlibcFloor"/> (<c>python3.13</c>), for the bootloader's message.</summary>
    public string GlibcFloorNeededBy { get; init; } = "";

    /// <summary>Name of the environment variable that overrides the cache root for this app (default <c>PYFREEZE_CACHE_DIR</c>).</summary>
    public string CacheEnvironmentVariable { get; init; } = "PYFREEZE_CACHE_DIR";

    /// <summary>Writes the settings as runtimeconfig <c>configProperties</c> (string values).</summary>
    /// <returns>Property name → value, names starting with <see cref="Prefix"/>.</returns>
    public IReadOnlyDictionary<string, string> ToProperties() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [Prefix + nameof(Format)] = Format.ToString(CultureInfo.InvariantCulture),
        [Prefix + nameof(AppName)] = AppName,
        [Prefix + nameof(PayloadOffset)] = PayloadOffset.ToString(CultureInfo.InvariantCulture),
        [Prefix + nameof(PayloadLength)] = PayloadLength.ToString(CultureInfo.InvariantCulture),
        [Prefix + nameof(PayloadSha256)] = PayloadSha256,
        [Prefix + nameof(PayloadXxh64)] = PayloadXxh64,
        [Prefix + nameof(Interpreter)] = Interpreter,
        [Prefix + nameof(LibraryDirs)] = string.Join(ListSeparator, LibraryDirs),
        [Prefix + nameof(PythonOptions)] = string.Join(ListSeparator, PythonOptions),
        [Prefix + nameof(BootScript)] = BootScript,
        [Prefix + nameof(LaunchMode)] = LaunchMode,
        [Prefix + nameof(PythonLibrary)] = PythonLibrary,
        [Prefix + nameof(Windowed)] = Windowed ? "true" : "false",
        [Prefix + nameof(OneDir)] = OneDir ? "true" : "false",
        [Prefix + nameof(CacheEnvironmentVariable)] = CacheEnvironmentVariable,
        [Prefix + nameof(GlibcFloor)] = GlibcFloor,
        [Prefix + nameof(GlibcFloorNeededBy)] = GlibcFloorNeededBy,
    };

    /// <summary>The settings as the bundle entry <see cref="PayloadLayout.SettingsEntry"/> holds them: UTF-8 name, NUL,
    /// value, NUL, for each of <see cref="ToProperties"/> (no name or value holds a NUL: they are paths, options and
    /// versions).</summary>
    /// <exception cref="ArgumentException">A value holds a NUL.</exception>
    public byte[] ToBytes()
    {
        var text = new System.Text.StringBuilder();
        foreach (var (k, v) in ToProperties())
        {
            if (v.Contains('\0'))
                throw new ArgumentException($"launch setting {k} holds a NUL");
            text.Append(k).Append('\0').Append(v).Append('\0');
        }
        return System.Text.Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Reads settings back from <see cref="ToBytes"/>'s form.</summary>
    /// <returns>The settings, or null when they are not PyFreeze's.</returns>
    /// <exception cref="FormatException">Malformed (an odd number of fields, a missing setting) or of a newer format.</exception>
    public static LaunchSettings? FromBytes(ReadOnlySpan<byte> data)
    {
        var fields = System.Text.Encoding.UTF8.GetString(data).Split('\0');
        if (fields.Length % 2 != 1 || fields[^1].Length != 0)
            throw new FormatException("the launch settings are damaged");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < fields.Length; i += 2)
            values[fields[i]] = fields[i + 1];
        return FromProperties(name => values.GetValueOrDefault(name));
    }

    /// <summary>Reads settings back from property values.</summary>
    /// <param name="get">Returns the value of a property, or null when absent (e.g. <see cref="AppContext.GetData(string)"/>).</param>
    /// <returns>The settings, or null when the properties are absent (the file is not a PyFreeze app).</returns>
    /// <exception cref="FormatException">A property is present but malformed, or the format is newer than this reader.</exception>
    public static LaunchSettings? FromProperties(Func<string, string?> get)
    {
        string? format = get(Prefix + nameof(Format));
        if (format is null)
            return null;
        int fmt = int.Parse(format, CultureInfo.InvariantCulture);
        if (fmt > CurrentFormat)
            throw new FormatException($"payload format {fmt} is newer than this bootloader understands ({CurrentFormat})");
        string Req(string name) => get(Prefix + name) ?? throw new FormatException($"launch setting {Prefix}{name} is missing");
        static IReadOnlyList<string> List(string? v) => string.IsNullOrEmpty(v) ? [] : v.Split(ListSeparator);
        return new LaunchSettings
        {
            Format = fmt,
            AppName = Req(nameof(AppName)),
            PayloadOffset = long.Parse(Req(nameof(PayloadOffset)), CultureInfo.InvariantCulture),
            PayloadLength = long.Parse(Req(nameof(PayloadLength)), CultureInfo.InvariantCulture),
            PayloadSha256 = Req(nameof(PayloadSha256)),
            PayloadXxh64 = Req(nameof(PayloadXxh64)),
            Interpreter = Req(nameof(Interpreter)),
            LibraryDirs = List(get(Prefix + nameof(LibraryDirs))),
            PythonOptions = List(get(Prefix + nameof(PythonOptions))),
            BootScript = Req(nameof(BootScript)),
            LaunchMode = get(Prefix + nameof(LaunchMode)) ?? "exec",
            PythonLibrary = get(Prefix + nameof(PythonLibrary)) ?? "",
            Windowed = get(Prefix + nameof(Windowed)) == "true",
            OneDir = get(Prefix + nameof(OneDir)) == "true",
            CacheEnvironmentVariable = get(Prefix + nameof(CacheEnvironmentVariable)) ?? "PYFREEZE_CACHE_DIR",
            GlibcFloor = get(Prefix + nameof(GlibcFloor)) ?? "",
            GlibcFloorNeededBy = get(Prefix + nameof(GlibcFloorNeededBy)) ?? "",
        };
    }

    /// <summary>Name of the cache directory of this payload: <c>NAME-</c> and the first 16 hex digits of the hash.</summary>
    public string CacheDirectoryName => $"{AppName}-{PayloadSha256[..16]}";
}

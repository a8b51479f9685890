using System.Buffers.Binary;
using System.Text;
using PyFreeze.Processes;

namespace PyFreeze.Tests.Binaries;

/// <summary>Checks for files and tools that some tests need; a missing one skips the test with a reason.</summary>
internal static class Requirements
{
    private static readonly Dictionary<string, string?> Cache = new();

    public static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public static string Expand(string path) => path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Home, path[2..]) : path;

    /// <summary>Null when met, else why not. "tool:NAME" = a command on PATH (or its newest NAME-N); "pefile" = /usr/bin/python3 with the
    /// pefile module; "pymodule:NAME" = a Python that imports NAME (<see cref="PythonWith"/>); "python:stdlib" = the system python3's stdlib folder;
    /// "host" = not inside a tests/roots root; "glob:DIR/PATTERN" = at least one match; anything else = a path.</summary>
    public static string? Missing(string requirement)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(requirement, out var cached))
                return cached;
            var why = Check(requirement);
            Cache[requirement] = why;
            return why;
        }
    }

    private static string? Check(string r)
    {
        if (r.StartsWith("tool:", StringComparison.Ordinal))
            return FindTool(r[5..]) is null ? $"{r[5..]} is not installed (not on PATH)" : null;
        if (r == "pefile")
        {
            if (!File.Exists("/usr/bin/python3")) return "the pefile oracle needs /usr/bin/python3 (apt-get install python3-pefile)";
            var res = ProcessRunner.Run("/usr/bin/python3", ["-c", "import pefile"], timeout: TimeSpan.FromSeconds(30));
            return res.ExitCode == 0 ? null : "the pefile oracle is not installed (apt-get install python3-pefile)";
        }
        if (r.StartsWith("pymodule:", StringComparison.Ordinal))
        {
            var module = r["pymodule:".Length..];
            return PythonWith(module) is null
                ? $"the Python module {module} is installed for neither /usr/bin/python3 nor pyenv's 3.11.7 (apt-get install python3-{module}; .ci/run installs it)"
                : null;
        }
        if (r == "python:ast")
            return Analyze.Scanning.PythonReference.SystemPython is null
                ? "no /usr/bin/python3 (3.11+) to run the ast reference (apt-get install python3)" : null;
        if (r == "host")
            return Infrastructure.DebianRoots.Inside is { } root
                ? $"runs on the host, not inside a Debian root (this run is inside {root}: PYFREEZE_IN_ROOT)" : null;
        if (r == "python:stdlib")
            return Analyze.Scanning.InstalledPythonFiles.Stdlib is { } stdlib && Directory.Exists(stdlib)
                ? null : "no system python3 stdlib folder (/usr/bin/python3's sysconfig stdlib; apt-get install python3)";
        if (r == "python:3.12+")
            return Analyze.Scanning.PythonReference.Python312 is null
                ? "no CPython 3.12+ (python3.12-3.14 on PATH or under pyenv) for the PEP 701 tokenizer reference" : null;
        if (r.StartsWith("glob:", StringComparison.Ordinal))
        {
            var pattern = Expand(r[5..]);
            return Glob(pattern).Any() ? null : $"nothing matches {pattern} on this machine";
        }
        var p = Expand(r);
        return File.Exists(p) || Directory.Exists(p) ? null : $"{p} is not on this machine";
    }

    /// <summary>The first of /usr/bin/python3 and pyenv's 3.11.7 that imports <paramref name="module"/>, or null.</summary>
    public static string? PythonWith(string module)
    {
        lock (WithModule)
        {
            if (!WithModule.TryGetValue(module, out var found))
                WithModule[module] = found = new[] { "/usr/bin/python3", Infrastructure.Pythons.Pyenv }.FirstOrDefault(py =>
                    File.Exists(py) && ProcessRunner.Run(py, ["-c", "import " + module], timeout: TimeSpan.FromSeconds(30)).ExitCode == 0);
            return found;
        }
    }

    private static readonly Dictionary<string, string?> WithModule = new();

    public static string? FindTool(string name)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in dirs)
        {
            var c = Path.Combine(dir, name);
            if (File.Exists(c)) return c;
        }
        // Debian's llvm-14 and clang-14 install versioned commands only (llvm-objdump-14): the newest of NAME-N
        return dirs.Where(Directory.Exists).SelectMany(d => Directory.EnumerateFiles(d, name + "-*"))
            .Select(p => (Path: p, Suffix: Path.GetFileName(p)[(name.Length + 1)..]))
            .Where(c => c.Suffix.Length > 0 && c.Suffix.All(char.IsAsciiDigit))
            .OrderByDescending(c => int.Parse(c.Suffix, System.Globalization.CultureInfo.InvariantCulture)).Select(c => c.Path).FirstOrDefault();
    }

    /// <summary>Expands one '*' per path component (e.g. /usr/share/dotnet/shared/Microsoft.NETCore.App/*/System.Runtime.dll).</summary>
    public static IEnumerable<string> Glob(string pattern)
    {
        var parts = pattern.Split('/');
        IEnumerable<string> current = ["/"];
        foreach (var part in parts.Where(p => p.Length > 0))
        {
            current = current.SelectMany(dir =>
            {
                if (!part.Contains('*'))
                {
                    var c = Path.Combine(dir, part);
                    return File.Exists(c) || Directory.Exists(c) ? [c] : Array.Empty<string>();
                }
                return Directory.Exists(dir) ? Directory.EnumerateFileSystemEntries(dir, part).Order() : Array.Empty<string>();
            }).ToList();
        }
        return current;
    }

    public static ProcessResult Run(string tool, params string[] args) =>
        ProcessRunner.Run(tool, args, timeout: TimeSpan.FromSeconds(120));

    public static ProcessResult Run(string tool, IReadOnlyDictionary<string, string?> env, params string[] args) =>
        ProcessRunner.Run(tool, args, environment: env, timeout: TimeSpan.FromSeconds(120));
}

/// <summary>A [Fact] that is skipped, with the reason, when a requirement is missing (see <see cref="Requirements.Missing"/>).</summary>
internal sealed class FactRequiresAttribute : FactAttribute
{
    public FactRequiresAttribute(params string[] requirements)
    {
        var why = requirements.Select(Requirements.Missing).FirstOrDefault(m => m is not null);
        if (why is not null)
            Skip = why;
    }
}

/// <summary>Writes small, valid ELF shared objects/executables: one PT_LOAD covering the file, PT_INTERP, PT_DYNAMIC,
/// .dynstr, version needs. No section headers.</summary>
internal sealed class ElfBuilder
{
    public bool Is64 { get; init; } = true;
    public bool BigEndian { get; init; }
    public ushort Machine { get; init; } = 62;
    public ushort Type { get; init; } = 3;
    public uint Flags { get; init; }
    public string? Interp { get; init; }
    public List<string> Needed { get; init; } = [];
    public string? SoName { get; init; }
    public string? RPath { get; init; }
    public string? RunPath { get; init; }
    public ulong Flags1 { get; init; }
    public List<(string File, string[] Versions)> VersionNeeds { get; init; } = [];
    /// <summary>Adds a DT_NEEDED whose string offset points this many bytes into the RPATH/RUNPATH string (suffix sharing).</summary>
    public int? NeededIntoSearchPathAt { get; init; }
    public int SpareDynamicSlots { get; init; } = 2;

    private const ulong Base = 0x10000;

    public byte[] Build()
    {
        var str = new List<byte> { 0 };
        int Add(string s)
        {
            var off = str.Count;
            str.AddRange(Encoding.UTF8.GetBytes(s));
            str.Add(0);
            return off;
        }
        var dyn = new List<(long Tag, ulong Val)>();
        foreach (var n in Needed) dyn.Add((1, (ulong)Add(n)));
        if (SoName is not null) dyn.Add((14, (ulong)Add(SoName)));
        int? spOff = null;
        if (RPath is not null) { spOff = Add(RPath); dyn.Add((15, (ulong)spOff)); }
        if (RunPath is not null) { var o = Add(RunPath); spOff ??= o; dyn.Add((29, (ulong)o)); }
        if (NeededIntoSearchPathAt is { } k && spOff is { } so) dyn.Add((1, (ulong)(so + k)));
        if (Flags1 != 0) dyn.Add((0x6ffffffb, Flags1));
        var vnFiles = VersionNeeds.Select(v => (File: Add(v.File), Names: v.Versions.Select(Add).ToArray())).ToList();

        var ehsize = Is64 ? 64 : 52;
        var phentsize = Is64 ? 56 : 32;
        var phnum = 2 + (Interp is null ? 0 : 1);
        var off = ehsize + phentsize * phnum;
        var interpOff = off;
        var interpBytes = Interp is null ? [] : Encoding.UTF8.GetBytes(Interp + "\0");
        off += interpBytes.Length;
        off = Align(off, 8);
        var strOff = off;
        off += str.Count;
        off = Align(off, 8);
        var vnOff = off;
        var vnSize = VersionNeeds.Sum(v => 16 + 16 * v.Versions.Length);
        off += vnSize;
        off = Align(off, 8);
        dyn.Insert(0, (5, Base + (ulong)strOff));
        dyn.Insert(1, (10, (ulong)str.Count));
        if (VersionNeeds.Count > 0)
        {
            dyn.Add((0x6ffffffe, Base + (ulong)vnOff));
            dyn.Add((0x6fffffff, (ulong)VersionNeeds.Count));
        }
        var entSize = Is64 ? 16 : 8;
        var dynOff = off;
        var dynSize = (dyn.Count + 1 + SpareDynamicSlots) * entSize;
        off += dynSize;
        var total = off;

        var b = new byte[total];
        b[0] = 0x7f; b[1] = (byte)'E'; b[2] = (byte)'L'; b[3] = (byte)'F';
        b[4] = (byte)(Is64 ? 2 : 1); b[5] = (byte)(BigEndian ? 2 : 1); b[6] = 1;
        W16(b, 16, Type); W16(b, 18, Machine); W32(b, 20, 1);
        if (Is64)
        {
            W64(b, 32, (ulong)ehsize); W64(b, 40, 0); W32(b, 48, Flags);
            W16(b, 52, (ushort)ehsize); W16(b, 54, (ushort)phentsize); W16(b, 56, (ushort)phnum);
            W16(b, 58, 64); W16(b, 60, 0); W16(b, 62, 0);
        }
        else
        {
            W32(b, 28, (uint)ehsize); W32(b, 32, 0); W32(b, 36, Flags);
            W16(b, 40, (ushort)ehsize); W16(b, 42, (ushort)phentsize); W16(b, 44, (ushort)phnum);
            W16(b, 46, 40);
        }
        var ph = ehsize;
        void Phdr(uint type, ulong offset, ulong size, uint flags)
        {
            if (Is64)
            {
                W32(b, ph, type); W32(b, ph + 4, flags); W64(b, ph + 8, offset); W64(b, ph + 16, Base + offset);
                W64(b, ph + 24, Base + offset); W64(b, ph + 32, size); W64(b, ph + 40, size); W64(b, ph + 48, 8);
            }
            else
            {
                W32(b, ph, type); W32(b, ph + 4, (uint)offset); W32(b, ph + 8, (uint)(Base + offset)); W32(b, ph + 12, (uint)(Base + offset));
                W32(b, ph + 16, (uint)size); W32(b, ph + 20, (uint)size); W32(b, ph + 24, flags); W32(b, ph + 28, 4);
            }
            ph += phentsize;
        }
        if (Interp is not null) Phdr(3, (ulong)interpOff, (ulong)interpBytes.Length, 4);
        Phdr(1, 0, (ulong)total, 6);
        Phdr(2, (ulong)dynOff, (ulong)dynSize, 6);
        interpBytes.CopyTo(b, interpOff);
        str.ToArray().CopyTo(b, strOff);
        var at = vnOff;
        for (var i = 0; i < vnFiles.Count; i++)
        {
            var names = vnFiles[i].Names;
            var recSize = 16 + 16 * names.Length;
            W16(b, at, 1); W16(b, at + 2, (ushort)names.Length); W32(b, at + 4, (uint)vnFiles[i].File);
            W32(b, at + 8, 16); W32(b, at + 12, i == vnFiles.Count - 1 ? 0u : (uint)recSize);
            for (var j = 0; j < names.Length; j++)
            {
                var a = at + 16 + 16 * j;
                W32(b, a, 0x1234); W16(b, a + 4, 0); W16(b, a + 6, (ushort)(2 + j));
                W32(b, a + 8, (uint)names[j]); W32(b, a + 12, j == names.Length - 1 ? 0u : 16u);
            }
            at += recSize;
        }
        var d = dynOff;
        foreach (var (tag, val) in dyn)
        {
            if (Is64) { W64(b, d, (ulong)tag); W64(b, d + 8, val); }
            else { W32(b, d, (uint)tag); W32(b, d + 4, (uint)val); }
            d += entSize;
        }
        return b;

        void W16(byte[] buf, int o, ushort v) { if (BigEndian) BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(o), v); else BinaryPrimitives.WriteUInt16LittleEndian(buf.AsSpan(o), v); }
        void W32(byte[] buf, int o, uint v) { if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(buf.AsSpan(o), v); else BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(o), v); }
        void W64(byte[] buf, int o, ulong v) { if (BigEndian) BinaryPrimitives.WriteUInt64BigEndian(buf.AsSpan(o), v); else BinaryPrimitives.WriteUInt64LittleEndian(buf.AsSpan(o), v); }
    }

    private static int Align(int v, int a) => (v + a - 1) / a * a;
}

/// <summary>Writes small, valid Mach-O images (thin, any cputype/endianness) and universal files.</summary>
internal sealed class MachOBuilder
{
    public int CpuType { get; init; } = 0x0100000c;
    public int CpuSubtype { get; init; }
    public uint FileType { get; init; } = 6;
    public bool Is64 { get; init; } = true;
    public bool BigEndian { get; init; }
    private readonly List<byte[]> _commands = [];

    private byte[] Cmd(uint cmd, int fixedSize, string? str, Action<byte[]>? fill = null)
    {
        var strBytes = str is null ? [] : Encoding.UTF8.GetBytes(str + "\0");
        var size = (fixedSize + strBytes.Length + 7) / 8 * 8;
        var b = new byte[size];
        W32(b, 0, cmd);
        W32(b, 4, (uint)size);
        if (str is not null)
        {
            W32(b, 8, (uint)fixedSize);
            strBytes.CopyTo(b, fixedSize);
        }
        fill?.Invoke(b);
        _commands.Add(b);
        return b;
    }

    public MachOBuilder IdDylib(string name) { Cmd(0xd, 24, name, b => { W32(b, 16, 0x10203); W32(b, 20, 0x10000); }); return this; }
    public MachOBuilder Dylib(string name, uint cmd = 0xc, uint current = 0x10000, uint compat = 0x10000) { Cmd(cmd, 24, name, b => { W32(b, 16, current); W32(b, 20, compat); }); return this; }
    public MachOBuilder WeakDylib(string name) => Dylib(name, 0x80000018);
    public MachOBuilder ReexportDylib(string name) => Dylib(name, 0x8000001f);
    public MachOBuilder LazyDylib(string name) => Dylib(name, 0x20);
    public MachOBuilder UpwardDylib(string name) => Dylib(name, 0x80000023);
    public MachOBuilder RPath(string path) { Cmd(0x8000001c, 12, path); return this; }
    public MachOBuilder CodeSignature() { Cmd(0x1d, 16, null, b => { W32(b, 8, 0x4000); W32(b, 12, 0x100); }); return this; }
    public MachOBuilder BuildVersion(uint platform, uint minos, uint sdk) { Cmd(0x32, 24, null, b => { W32(b, 8, platform); W32(b, 12, minos); W32(b, 16, sdk); W32(b, 20, 0); }); return this; }
    public MachOBuilder VersionMinMacOS(uint version, uint sdk) { Cmd(0x24, 16, null, b => { W32(b, 8, version); W32(b, 12, sdk); }); return this; }
    public MachOBuilder Raw(uint cmd, int size) { Cmd(cmd, size, null); return this; }

    public byte[] Build()
    {
        var hsize = Is64 ? 32 : 28;
        var cmds = _commands.Sum(c => c.Length);
        var b = new byte[hsize + cmds + 64];
        W32(b, 0, Is64 ? 0xfeedfacf : 0xfeedface);
        W32(b, 4, (uint)CpuType);
        W32(b, 8, (uint)CpuSubtype);
        W32(b, 12, FileType);
        W32(b, 16, (uint)_commands.Count);
        W32(b, 20, (uint)cmds);
        W32(b, 24, 0x85);
        var at = hsize;
        foreach (var c in _commands) { c.CopyTo(b, at); at += c.Length; }
        return b;
    }

    /// <summary>A universal file of the given slices, each aligned to 4 KiB (fat header and entries big-endian).</summary>
    public static byte[] Fat(params (int CpuType, int CpuSubtype, byte[] Image)[] slices)
    {
        const int align = 4096;
        var offsets = new List<int>();
        var at = align;
        foreach (var s in slices) { offsets.Add(at); at = (at + s.Image.Length + align - 1) / align * align; }
        var b = new byte[at];
        BinaryPrimitives.WriteUInt32BigEndian(b, 0xcafebabe);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), (uint)slices.Length);
        for (var i = 0; i < slices.Length; i++)
        {
            var e = 8 + 20 * i;
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(e), (uint)slices[i].CpuType);
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(e + 4), (uint)slices[i].CpuSubtype);
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(e + 8), (uint)offsets[i]);
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(e + 12), (uint)slices[i].Image.Length);
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(e + 16), 12);
            slices[i].Image.CopyTo(b, offsets[i]);
        }
        return b;
    }

    private void W32(byte[] b, int o, uint v)
    {
        if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(o), v);
        else BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(o), v);
    }
}

/// <summary>Writes small, valid PE images: headers plus one section holding the import, delay-import and export
/// directories and the names.</summary>
internal sealed class PeBuilder
{
    public ushort Machine { get; init; } = 0x8664;
    public bool Pe32Plus { get; init; } = true;
    public ushort Subsystem { get; init; } = 3;
    public bool Dll { get; init; }
    public string[] Imports { get; init; } = [];
    public string[] DelayImports { get; init; } = [];
    public string? ExportName { get; init; }
    public bool DotNet { get; init; }
    /// <summary>Write delay descriptors in the old VC6 layout (Attributes 0, VAs instead of RVAs).</summary>
    public bool OldStyleDelay { get; init; }

    private const uint SectionRva = 0x1000;
    private const int RawOffset = 0x200;
    private const ulong ImageBase = 0x140000000;

    public byte[] Build()
    {
        var sec = new List<byte>();
        int Reserve(int n) { var o = sec.Count; sec.AddRange(new byte[n]); return o; }
        int AddString(string s) { var o = sec.Count; sec.AddRange(Encoding.ASCII.GetBytes(s + "\0")); return o; }
        var thunk = Reserve(8);
        var imp = Imports.Length > 0 ? Reserve((Imports.Length + 1) * 20) : -1;
        var delay = DelayImports.Length > 0 ? Reserve((DelayImports.Length + 1) * 32) : -1;
        var exp = ExportName is not null ? Reserve(40) : -1;
        var clr = DotNet ? Reserve(72) : -1;
        var names = Imports.Select(AddString).ToArray();
        var dnames = DelayImports.Select(AddString).ToArray();
        var ename = ExportName is null ? -1 : AddString(ExportName);
        var data = sec.ToArray();
        for (var i = 0; i < Imports.Length; i++)
        {
            var d = imp + i * 20;
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(d), SectionRva + (uint)thunk);
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(d + 12), SectionRva + (uint)names[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(d + 16), SectionRva + (uint)thunk);
        }
        for (var i = 0; i < DelayImports.Length; i++)
        {
            var d = delay + i * 32;
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(d), OldStyleDelay ? 0u : 1u);
            var nameRef = SectionRva + (uint)dnames[i];
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(d + 4), OldStyleDelay ? (uint)(ImageBase & 0xffffffff) + nameRef : nameRef);
        }
        if (exp >= 0)
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(exp + 12), SectionRva + (uint)ename);
        var rawSize = (data.Length + 0x1ff) / 0x200 * 0x200;
        var optSize = Pe32Plus ? 240 : 224;
        var b = new byte[RawOffset + rawSize];
        b[0] = (byte)'M'; b[1] = (byte)'Z';
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0x3c), 0x40);
        b[0x40] = (byte)'P'; b[0x41] = (byte)'E';
        var coff = 0x44;
        W16(coff, Machine); W16(coff + 2, 1); W16(coff + 16, (ushort)optSize);
        W16(coff + 18, (ushort)(0x0002 | (Pe32Plus ? 0x0020 : 0x0100) | (Dll ? 0x2000 : 0)));
        var opt = coff + 20;
        W16(opt, (ushort)(Pe32Plus ? 0x20b : 0x10b));
        if (Pe32Plus) W64(opt + 24, ImageBase); else W32(opt + 28, (uint)(ImageBase & 0xffffffff));
        W32(opt + 32, 0x1000); W32(opt + 36, 0x200);
        W32(opt + 56, SectionRva + (uint)((data.Length + 0xfff) / 0x1000 * 0x1000));
        W32(opt + 60, RawOffset);
        W16(opt + 68, Subsystem);
        W16(opt + 70, 0x8160);
        W32(opt + (Pe32Plus ? 108 : 92), 16);
        var dirs = opt + (Pe32Plus ? 112 : 96);
        void Dir(int index, int offset, int size) { if (offset >= 0) { W32(dirs + index * 8, SectionRva + (uint)offset); W32(dirs + index * 8 + 4, (uint)size); } }
        Dir(0, exp, 40);
        Dir(1, imp, (Imports.Length + 1) * 20);
        Dir(13, delay, (DelayImports.Length + 1) * 32);
        Dir(14, clr, 72);
        var sh = opt + optSize;
        Encoding.ASCII.GetBytes(".rdata").CopyTo(b, sh);
        W32(sh + 8, (uint)data.Length); W32(sh + 12, SectionRva); W32(sh + 16, (uint)rawSize); W32(sh + 20, RawOffset);
        W32(sh + 36, 0x40000040);
        data.CopyTo(b, RawOffset);
        return b;

        void W16(int o, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(o), v);
        void W32(int o, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(o), v);
        void W64(int o, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(o), v);
    }
}

/// <summary>Writes ld.so cache files in the glibc-ld.so.cache1.1 format (optionally after an old-format table).</summary>
internal sealed class LdSoCacheBuilder
{
    public List<(int Flags, string Name, string Path, ulong Hwcap)> Entries { get; init; } = [];
    public List<string> HwcapSubdirectories { get; init; } = [];
    public bool BigEndian { get; init; }
    public bool OldFormatPrefix { get; init; }

    public byte[] Build()
    {
        var strings = new List<byte>();
        var strBase = 48 + 24 * Entries.Count;
        int Add(string s) { var o = strBase + strings.Count; strings.AddRange(Encoding.UTF8.GetBytes(s + "\0")); return o; }
        var keys = Entries.Select(e => (Add(e.Name), Add(e.Path))).ToList();
        var hw = HwcapSubdirectories.Select(Add).ToList();
        var extOffset = (strBase + strings.Count + 3) / 4 * 4;
        var total = extOffset + (hw.Count > 0 ? 8 + 16 + 4 * hw.Count : 0);
        var b = new byte[total];
        Encoding.ASCII.GetBytes("glibc-ld.so.cache1.1").CopyTo(b, 0);
        W32(20, (uint)Entries.Count);
        W32(24, (uint)strings.Count);
        b[28] = (byte)(BigEndian ? 3 : 2);
        W32(32, hw.Count > 0 ? (uint)extOffset : 0);
        for (var i = 0; i < Entries.Count; i++)
        {
            var at = 48 + 24 * i;
            W32(at, (uint)Entries[i].Flags);
            W32(at + 4, (uint)keys[i].Item1);
            W32(at + 8, (uint)keys[i].Item2);
            W64(at + 16, Entries[i].Hwcap);
        }
        strings.ToArray().CopyTo(b, strBase);
        if (hw.Count > 0)
        {
            W32(extOffset, 0xeaa42174);
            W32(extOffset + 4, 1);
            W32(extOffset + 8, 1);
            W32(extOffset + 16, (uint)(extOffset + 24));
            W32(extOffset + 20, (uint)(4 * hw.Count));
            for (var i = 0; i < hw.Count; i++)
                W32(extOffset + 24 + 4 * i, (uint)hw[i]);
        }
        if (!OldFormatPrefix)
            return b;
        // ld.so-1.7.0, nlibs = 1 (one dummy 12 byte entry), then the new cache at the next 8 byte boundary.
        var prefix = new byte[32];
        Encoding.ASCII.GetBytes("ld.so-1.7.0").CopyTo(prefix, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix.AsSpan(12), 1);
        var combined = new byte[prefix.Length + b.Length];
        prefix.CopyTo(combined, 0);
        b.CopyTo(combined, prefix.Length);
        return combined;

        void W32(int o, uint v) { if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(o), v); else BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(o), v); }
        void W64(int o, ulong v) { if (BigEndian) BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(o), v); else BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(o), v); }
    }
}

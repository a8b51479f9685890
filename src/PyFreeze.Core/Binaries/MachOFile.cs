using System.Globalization;
using System.Runtime.InteropServices;

namespace PyFreeze.Binaries;

/// <summary>Mach-O file type (<c>mach_header.filetype</c>, <c>&lt;mach-o/loader.h&gt;</c>).</summary>
public enum MachOFileType : uint
{
    /// <summary>MH_OBJECT: relocatable object (.o).</summary>
    Object = 1,
    /// <summary>MH_EXECUTE: executable.</summary>
    Execute = 2,
    /// <summary>MH_FVMLIB.</summary>
    FixedVmLibrary = 3,
    /// <summary>MH_CORE.</summary>
    Core = 4,
    /// <summary>MH_PRELOAD.</summary>
    Preload = 5,
    /// <summary>MH_DYLIB: dynamic library (.dylib, framework binary).</summary>
    Dylib = 6,
    /// <summary>MH_DYLINKER: dyld itself.</summary>
    Dylinker = 7,
    /// <summary>MH_BUNDLE: loadable bundle; CPython extension modules (.so) are bundles.</summary>
    Bundle = 8,
    /// <summary>MH_DYLIB_STUB.</summary>
    DylibStub = 9,
    /// <summary>MH_DSYM: debug symbols.</summary>
    Dsym = 10,
    /// <summary>MH_KEXT_BUNDLE.</summary>
    KextBundle = 11,
    /// <summary>MH_FILESET.</summary>
    FileSet = 12,
}

/// <summary>How a Mach-O image depends on a dylib: the load command that names it (<c>&lt;mach-o/loader.h&gt;</c>).</summary>
public enum MachODylibKind
{
    /// <summary>LC_LOAD_DYLIB: required; dyld fails the load when missing.</summary>
    Load,
    /// <summary>LC_LOAD_WEAK_DYLIB: optional; dyld continues when missing.</summary>
    Weak,
    /// <summary>LC_REEXPORT_DYLIB: required, and its symbols are re-exported.</summary>
    Reexport,
    /// <summary>LC_LAZY_LOAD_DYLIB: loaded on first use (obsolete, still parsed).</summary>
    Lazy,
    /// <summary>LC_LOAD_UPWARD_DYLIB: required, upward dependency (a cycle allowed by the linker).</summary>
    Upward,
}

/// <summary>A dylib named by a load command.</summary>
/// <param name="Name">The install name as written, e.g. <c>@rpath/libpython3.11.dylib</c> or <c>/usr/lib/libSystem.B.dylib</c>.</param>
/// <param name="Kind">Which load command named it.</param>
/// <param name="CurrentVersion">Current version, encoded <c>xxxx.yy.zz</c> as <c>(X&lt;&lt;16)|(Y&lt;&lt;8)|Z</c>.</param>
/// <param name="CompatibilityVersion">Compatibility version, same encoding.</param>
public sealed record MachODylib(string Name, MachODylibKind Kind, uint CurrentVersion, uint CompatibilityVersion);

/// <summary>One <c>fat_arch</c>/<c>fat_arch_64</c> entry of a universal file (<c>&lt;mach-o/fat.h&gt;</c>).</summary>
/// <param name="CpuType">cputype (e.g. 0x0100000c = CPU_TYPE_ARM64).</param>
/// <param name="CpuSubtype">cpusubtype.</param>
/// <param name="Offset">File offset of the slice in bytes.</param>
/// <param name="Size">Size of the slice in bytes.</param>
/// <param name="Align">Alignment as a power of two.</param>
public sealed record MachOFatArch(int CpuType, int CpuSubtype, long Offset, long Size, uint Align)
{
    /// <summary>The architecture name, e.g. <c>arm64</c>, <c>x86_64</c> (see <see cref="MachOFile.GetArchitectureName"/>).</summary>
    public string ArchitectureName => MachOFile.GetArchitectureName(CpuType, CpuSubtype);
}

/// <summary>One <c>LC_SEGMENT_64</c> load command (<c>segment_command_64</c>, <c>&lt;mach-o/loader.h&gt;</c>).</summary>
/// <param name="Name">segname, e.g. <c>__TEXT</c>, <c>__LINKEDIT</c>.</param>
/// <param name="VmAddress">vmaddr.</param>
/// <param name="VmSize">vmsize in bytes.</param>
/// <param name="FileOffset">fileoff: offset in bytes from the start of the image (slice), not of a universal file.</param>
/// <param name="FileSize">filesize in bytes.</param>
/// <param name="CommandOffset">Offset in bytes of the load command from the start of the image.</param>
public sealed record MachOSegment(string Name, ulong VmAddress, ulong VmSize, ulong FileOffset, ulong FileSize, long CommandOffset);

/// <summary>One thin Mach-O image: the whole file for a thin Mach-O, one slice of a universal file.</summary>
public sealed class MachOImage
{
    internal MachOImage() { }

    /// <summary>cputype: CPU_TYPE_X86_64 = 0x01000007, CPU_TYPE_ARM64 = 0x0100000c, CPU_TYPE_X86 = 7, CPU_TYPE_ARM = 12.</summary>
    public int CpuType { get; internal set; }

    /// <summary>cpusubtype (capability bits in the top byte masked off when naming).</summary>
    public int CpuSubtype { get; internal set; }

    /// <summary>Architecture name as Apple's tools spell it: <c>arm64</c>, <c>arm64e</c>, <c>x86_64</c>, <c>i386</c>, <c>arm</c>, <c>ppc</c> ….</summary>
    public string ArchitectureName => MachOFile.GetArchitectureName(CpuType, CpuSubtype);

    /// <summary>The .NET architecture, or null (e.g. PowerPC).</summary>
    public Architecture? Architecture => MachOFile.GetArchitecture(CpuType);

    /// <summary>True for a 64-bit header (MH_MAGIC_64).</summary>
    public bool Is64 { get; internal set; }

    /// <summary>True when the image is big-endian (PowerPC).</summary>
    public bool IsBigEndian { get; internal set; }

    /// <summary>File type.</summary>
    public MachOFileType FileType { get; internal set; }

    /// <summary>mach_header flags (MH_*).</summary>
    public uint Flags { get; internal set; }

    /// <summary>File offset of this image inside the file (0 for a thin file).</summary>
    public long Offset { get; internal set; }

    /// <summary>The dylib's own install name (LC_ID_DYLIB), e.g. <c>@rpath/libfoo.dylib</c>; null when absent.</summary>
    public string? InstallName { get; internal set; }

    /// <summary>Dylibs named by LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LAZY_LOAD_DYLIB and
    /// LC_LOAD_UPWARD_DYLIB, in load command order (= dyld's load order).</summary>
    public IReadOnlyList<MachODylib> Dylibs { get; internal set; } = [];

    /// <summary>LC_RPATH paths in load command order (may contain <c>@loader_path</c>/<c>@executable_path</c>).</summary>
    public IReadOnlyList<string> RPaths { get; internal set; } = [];

    /// <summary>True when an LC_CODE_SIGNATURE command is present (the image is signed, ad hoc or not).</summary>
    public bool HasCodeSignature { get; internal set; }

    /// <summary>The LC_CODE_SIGNATURE <c>linkedit_data_command</c>: dataoff and datasize in bytes (dataoff from the
    /// start of the image), and the offset of the command itself; null when the image has none.</summary>
    public (uint DataOffset, uint DataSize, long CommandOffset)? CodeSignature { get; internal set; }

    /// <summary>The LC_SEGMENT_64 commands in load command order (empty for a 32-bit image).</summary>
    public IReadOnlyList<MachOSegment> Segments { get; internal set; } = [];

    /// <summary>Size in bytes of the mach header (28 for 32-bit, 32 for 64-bit).</summary>
    public int HeaderSize { get; internal set; }

    /// <summary>mach_header ncmds.</summary>
    public uint LoadCommandCount { get; internal set; }

    /// <summary>mach_header sizeofcmds, in bytes.</summary>
    public uint LoadCommandsSize { get; internal set; }

    /// <summary>The lowest file offset (from the start of the image) of any section or segment content after the
    /// load commands; the bytes between the end of the load commands and it are header padding where a load command
    /// may be added. Null when the image has no such content.</summary>
    public long? FirstContentOffset { get; internal set; }

    /// <summary>Platform from LC_BUILD_VERSION (1 macOS, 2 iOS, 3 tvOS, 4 watchOS, 6 Mac Catalyst …), 1 for
    /// LC_VERSION_MIN_MACOSX, 0 when neither is present.</summary>
    public uint Platform { get; internal set; }

    /// <summary>Minimum OS version (LC_BUILD_VERSION minos, else LC_VERSION_MIN_* version), e.g. 11.0; null when absent.</summary>
    public Version? MinimumOsVersion { get; internal set; }

    /// <summary>SDK version the image was built with (same commands), or null.</summary>
    public Version? SdkVersion { get; internal set; }
}

/// <summary>
/// A Mach-O file, thin or universal (fat), per Apple's <c>&lt;mach-o/loader.h&gt;</c> and <c>&lt;mach-o/fat.h&gt;</c>:
/// the architectures, and for each image its file type, install name (LC_ID_DYLIB), dylib load commands with their
/// kind, LC_RPATH list, LC_CODE_SIGNATURE presence and minimum OS version (LC_BUILD_VERSION /
/// LC_VERSION_MIN_MACOSX). Pure managed code; works on any host.
/// </summary>
/// <remarks>Reads only the fat header, the mach headers and the load commands (<c>sizeofcmds</c> bytes per image).</remarks>
public sealed class MachOFile
{
    /// <summary>CPU_TYPE_X86.</summary>
    public const int CpuTypeX86 = 7;
    /// <summary>CPU_TYPE_X86_64 (CPU_TYPE_X86 | CPU_ARCH_ABI64).</summary>
    public const int CpuTypeX86_64 = 0x01000007;
    /// <summary>CPU_TYPE_ARM.</summary>
    public const int CpuTypeArm = 12;
    /// <summary>CPU_TYPE_ARM64 (CPU_TYPE_ARM | CPU_ARCH_ABI64).</summary>
    public const int CpuTypeArm64 = 0x0100000c;
    /// <summary>CPU_TYPE_ARM64_32.</summary>
    public const int CpuTypeArm64_32 = 0x0200000c;
    /// <summary>CPU_TYPE_POWERPC.</summary>
    public const int CpuTypePowerPC = 18;
    /// <summary>CPU_TYPE_POWERPC64.</summary>
    public const int CpuTypePowerPC64 = 0x01000012;

    internal const uint MH_MAGIC = 0xfeedface, MH_MAGIC_64 = 0xfeedfacf, FAT_MAGIC = 0xcafebabe, FAT_MAGIC_64 = 0xcafebabf;
    internal const uint LC_REQ_DYLD = 0x80000000;
    internal const uint LC_LOAD_DYLIB = 0xc, LC_ID_DYLIB = 0xd, LC_LOAD_WEAK_DYLIB = 0x18 | LC_REQ_DYLD, LC_RPATH = 0x1c | LC_REQ_DYLD,
        LC_CODE_SIGNATURE = 0x1d, LC_REEXPORT_DYLIB = 0x1f | LC_REQ_DYLD, LC_LAZY_LOAD_DYLIB = 0x20, LC_LOAD_UPWARD_DYLIB = 0x23 | LC_REQ_DYLD,
        LC_VERSION_MIN_MACOSX = 0x24, LC_VERSION_MIN_IPHONEOS = 0x25, LC_VERSION_MIN_TVOS = 0x2f, LC_VERSION_MIN_WATCHOS = 0x30,
        LC_BUILD_VERSION = 0x32, LC_SEGMENT_64 = 0x19;

    /// <summary>Most slices a fat header may declare; larger counts are treated as corrupt (and a Java class file,
    /// which shares the 0xcafebabe magic, declares 45 or more).</summary>
    public const int MaxFatArchitectures = 30;

    private MachOFile(string fileName) => FileName = fileName;

    /// <summary>The path or display name the file was read from.</summary>
    public string FileName { get; }

    /// <summary>True for a universal (fat) file.</summary>
    public bool IsFat { get; private set; }

    /// <summary>The fat_arch entries of a universal file, in order; empty for a thin file.</summary>
    public IReadOnlyList<MachOFatArch> FatArchitectures { get; private set; } = [];

    /// <summary>The images: one for a thin file, one per slice (same order as <see cref="FatArchitectures"/>) for a fat one.</summary>
    public IReadOnlyList<MachOImage> Images { get; private set; } = [];

    /// <summary>The image for <paramref name="architectureName"/> (<c>arm64</c>, <c>x86_64</c> …; case-insensitive),
    /// or null when the file has no such slice. <c>arm64</c> does not select an <c>arm64e</c> slice.</summary>
    public MachOImage? Select(string architectureName) =>
        Images.FirstOrDefault(i => string.Equals(i.ArchitectureName, architectureName, StringComparison.OrdinalIgnoreCase));

    /// <summary>The first image whose cputype is <paramref name="cpuType"/> (e.g. <see cref="CpuTypeArm64"/>), or null.</summary>
    public MachOImage? Select(int cpuType) => Images.FirstOrDefault(i => i.CpuType == cpuType);

    /// <summary>Reads the Mach-O file at <paramref name="path"/>.</summary>
    /// <exception cref="BinaryFormatException">Not Mach-O, or truncated/corrupt.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static MachOFile Read(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        return Read(fs, path);
    }

    /// <summary>Reads a Mach-O file from <paramref name="stream"/> (position 0 = magic); the stream is left open.</summary>
    /// <param name="stream">The file's bytes.</param>
    /// <param name="fileName">Name for error messages.</param>
    /// <exception cref="BinaryFormatException">Not Mach-O, or truncated/corrupt.</exception>
    public static MachOFile Read(Stream stream, string fileName)
    {
        using var src = new ByteSource(stream, fileName);
        return Read(src);
    }

    /// <summary>True when <paramref name="header"/> starts with a thin Mach-O magic (either byte order, 32 or 64-bit).</summary>
    public static bool HasThinMagic(ReadOnlySpan<byte> header)
    {
        if (header.Length < 4) return false;
        var le = Endian.U32(header, 0, false);
        var be = Endian.U32(header, 0, true);
        return le is MH_MAGIC or MH_MAGIC_64 || be is MH_MAGIC or MH_MAGIC_64;
    }

    /// <summary>True when <paramref name="header"/> (at least 8 bytes) is a plausible fat header: magic 0xcafebabe or
    /// 0xcafebabf (big-endian) and 1..<see cref="MaxFatArchitectures"/> slices (which tells it from a Java class file).</summary>
    public static bool HasFatMagic(ReadOnlySpan<byte> header)
    {
        if (header.Length < 8) return false;
        var magic = Endian.U32(header, 0, true);
        var n = Endian.U32(header, 4, true);
        return magic is FAT_MAGIC or FAT_MAGIC_64 && n is >= 1 and <= MaxFatArchitectures;
    }

    internal static MachOFile Read(ByteSource src)
    {
        var file = new MachOFile(src.Name);
        if (src.Length < 8)
            throw src.Error($"not a Mach-O file: {src.Length} bytes is too short for a header");
        Span<byte> head = stackalloc byte[8];
        src.Read(0, head, "Mach-O magic");
        var magicBe = Endian.U32(head, 0, true);
        if (magicBe is FAT_MAGIC or FAT_MAGIC_64)
        {
            var n = Endian.U32(head, 4, true);
            if (n is 0 or > MaxFatArchitectures)
                throw src.Error($"fat header declares {n} architectures (expected 1..{MaxFatArchitectures}); a Java class file has the same magic", 4);
            var is64 = magicBe == FAT_MAGIC_64;
            var entry = is64 ? 32 : 20;
            src.Check(8, n * entry, $"fat_arch table ({n} × {entry} bytes)");
            var archs = new List<MachOFatArch>();
            var images = new List<MachOImage>();
            for (var i = 0; i < n; i++)
            {
                var at = 8 + i * entry;
                var cpu = (int)src.U32(at, true, "fat_arch");
                var sub = (int)src.U32(at + 4, true, "fat_arch");
                var off = is64 ? src.U64(at + 8, true, "fat_arch") : src.U32(at + 8, true, "fat_arch");
                var size = is64 ? src.U64(at + 16, true, "fat_arch") : src.U32(at + 12, true, "fat_arch");
                var align = src.U32(at + (is64 ? 24 : 16), true, "fat_arch");
                if (off > (ulong)src.Length || size > (ulong)src.Length - off)
                    throw src.Error($"slice {i} ({GetArchitectureName(cpu, sub)}, {size} bytes at 0x{off:x}) runs past the end of the {src.Length} byte file", at);
                var arch = new MachOFatArch(cpu, sub, (long)off, (long)size, align);
                archs.Add(arch);
                var img = ReadImage(src.Slice(arch.Offset, arch.Size, "fat slice"), arch.Offset);
                if (img.CpuType != cpu)
                    throw src.Error($"slice {i} is declared {arch.ArchitectureName} but its header says {img.ArchitectureName}", arch.Offset);
                images.Add(img);
            }
            file.IsFat = true;
            file.FatArchitectures = archs;
            file.Images = images;
            return file;
        }
        if (!HasThinMagic(head))
            throw src.Error("not a Mach-O file (no feedface/feedfacf/cafebabe magic)", 0);
        file.Images = [ReadImage(src, 0)];
        return file;
    }

    private static MachOImage ReadImage(ByteSource src, long baseOffset)
    {
        var le = src.U32(0, false, "mach_header magic");
        bool big, is64;
        switch (le)
        {
            case MH_MAGIC: big = false; is64 = false; break;
            case MH_MAGIC_64: big = false; is64 = true; break;
            default:
                var be = src.U32(0, true, "mach_header magic");
                if (be == MH_MAGIC) { big = true; is64 = false; }
                else if (be == MH_MAGIC_64) { big = true; is64 = true; }
                else throw src.Error($"bad mach_header magic 0x{le:x8}", baseOffset);
                break;
        }
        var hsize = is64 ? 32 : 28;
        Span<byte> h = stackalloc byte[32];
        h = h[..hsize];
        src.Read(0, h, "mach_header");
        var img = new MachOImage
        {
            CpuType = (int)Endian.U32(h, 4, big),
            CpuSubtype = (int)Endian.U32(h, 8, big),
            FileType = (MachOFileType)Endian.U32(h, 12, big),
            Flags = Endian.U32(h, 24, big),
            Is64 = is64,
            IsBigEndian = big,
            Offset = baseOffset,
        };
        var ncmds = Endian.U32(h, 16, big);
        var sizeofcmds = Endian.U32(h, 20, big);
        src.Check(hsize, sizeofcmds, $"load commands ({ncmds} commands, sizeofcmds {sizeofcmds})");
        if (ncmds > sizeofcmds / 8)
            throw src.Error($"{ncmds} load commands cannot fit in sizeofcmds {sizeofcmds} (8 bytes minimum each)", baseOffset + 16);

        img.HeaderSize = hsize;
        img.LoadCommandCount = ncmds;
        img.LoadCommandsSize = sizeofcmds;
        var dylibs = new List<MachODylib>();
        var rpaths = new List<string>();
        var segments = new List<MachOSegment>();
        long? firstContent = null;
        long at = hsize;
        long end = hsize + (long)sizeofcmds;
        Span<byte> lc = stackalloc byte[24];
        for (var i = 0; i < ncmds; i++)
        {
            if (at + 8 > end)
                throw src.Error($"load command {i} starts past sizeofcmds", baseOffset + at);
            var cmd = src.U32(at, big, "load command");
            var cmdsize = src.U32(at + 4, big, "load command");
            if (cmdsize < 8 || cmdsize > end - at)
                throw src.Error($"load command {i} (0x{cmd:x}) has size {cmdsize}, outside 8..{end - at}", baseOffset + at);
            var cmdEnd = at + cmdsize;

            string LcStr(int fieldOffset, string what)
            {
                var strOff = src.U32(at + fieldOffset, big, what);
                if (strOff < fieldOffset + 4 || strOff >= cmdsize)
                    throw src.Error($"{what} string offset {strOff} is outside its {cmdsize} byte load command", baseOffset + at);
                return src.ReadCString(at + strOff, cmdEnd, what);
            }

            switch (cmd)
            {
                case LC_ID_DYLIB:
                    img.InstallName ??= LcStr(8, "LC_ID_DYLIB name");
                    break;
                case LC_LOAD_DYLIB or LC_LOAD_WEAK_DYLIB or LC_REEXPORT_DYLIB or LC_LAZY_LOAD_DYLIB or LC_LOAD_UPWARD_DYLIB:
                {
                    if (cmdsize < 24)
                        throw src.Error($"dylib load command {i} is {cmdsize} bytes, smaller than a dylib_command (24)", baseOffset + at);
                    src.Read(at, lc, "dylib_command");
                    var kind = cmd switch
                    {
                        LC_LOAD_WEAK_DYLIB => MachODylibKind.Weak,
                        LC_REEXPORT_DYLIB => MachODylibKind.Reexport,
                        LC_LAZY_LOAD_DYLIB => MachODylibKind.Lazy,
                        LC_LOAD_UPWARD_DYLIB => MachODylibKind.Upward,
                        _ => MachODylibKind.Load,
                    };
                    dylibs.Add(new MachODylib(LcStr(8, "dylib name"), kind, Endian.U32(lc, 16, big), Endian.U32(lc, 20, big)));
                    break;
                }
                case LC_RPATH:
                    rpaths.Add(LcStr(8, "LC_RPATH path"));
                    break;
                case LC_CODE_SIGNATURE:
                    img.HasCodeSignature = true;
                    if (cmdsize >= 16 && img.CodeSignature is null)
                        img.CodeSignature = (src.U32(at + 8, big, "LC_CODE_SIGNATURE"), src.U32(at + 12, big, "LC_CODE_SIGNATURE"), at);
                    break;
                case LC_SEGMENT_64:
                {
                    if (cmdsize < 72)
                        throw src.Error($"LC_SEGMENT_64 is {cmdsize} bytes, smaller than a segment_command_64 (72)", baseOffset + at);
                    var seg = src.ReadBytes(at, 72, "segment_command_64");
                    var nameLen = seg.AsSpan(8, 16).IndexOf((byte)0);
                    var name = System.Text.Encoding.ASCII.GetString(seg, 8, nameLen < 0 ? 16 : nameLen);
                    var fileoff = Endian.U64(seg, 40, big);
                    var filesize = Endian.U64(seg, 48, big);
                    var nsects = Endian.U32(seg, 64, big);
                    if (nsects > (cmdsize - 72) / 80)
                        throw src.Error($"LC_SEGMENT_64 {name} declares {nsects} sections, more than its {cmdsize} bytes hold", baseOffset + at);
                    segments.Add(new MachOSegment(name, Endian.U64(seg, 24, big), Endian.U64(seg, 32, big), fileoff, filesize, at));
                    if (fileoff > 0 && filesize > 0)
                        firstContent = Math.Min(firstContent ?? long.MaxValue, (long)Math.Min(fileoff, long.MaxValue));
                    for (var k = 0; k < nsects; k++)
                    {
                        var sect = at + 72 + 80L * k;
                        var size = src.U64(sect + 40, big, "section_64");
                        var offset = src.U32(sect + 48, big, "section_64");
                        var type = src.U32(sect + 64, big, "section_64") & 0xff;
                        // S_ZEROFILL, S_GB_ZEROFILL, S_THREAD_LOCAL_ZEROFILL take no file space.
                        if (offset > 0 && size > 0 && type is not (0x1 or 0xc or 0x12))
                            firstContent = Math.Min(firstContent ?? long.MaxValue, offset);
                    }
                    break;
                }
                case LC_BUILD_VERSION:
                    if (cmdsize < 24)
                        throw src.Error($"LC_BUILD_VERSION is {cmdsize} bytes, smaller than 24", baseOffset + at);
                    src.Read(at, lc, "LC_BUILD_VERSION");
                    img.Platform = Endian.U32(lc, 8, big);
                    img.MinimumOsVersion = DecodeVersion(Endian.U32(lc, 12, big));
                    img.SdkVersion = DecodeVersion(Endian.U32(lc, 16, big));
                    break;
                case LC_VERSION_MIN_MACOSX or LC_VERSION_MIN_IPHONEOS or LC_VERSION_MIN_TVOS or LC_VERSION_MIN_WATCHOS:
                    if (cmdsize < 16)
                        throw src.Error($"LC_VERSION_MIN_* is {cmdsize} bytes, smaller than 16", baseOffset + at);
                    if (img.MinimumOsVersion is null)
                    {
                        src.Read(at, lc[..16], "LC_VERSION_MIN");
                        img.Platform = cmd switch
                        {
                            LC_VERSION_MIN_MACOSX => 1,
                            LC_VERSION_MIN_IPHONEOS => 2,
                            LC_VERSION_MIN_TVOS => 3,
                            _ => 4,
                        };
                        img.MinimumOsVersion = DecodeVersion(Endian.U32(lc, 8, big));
                        img.SdkVersion = DecodeVersion(Endian.U32(lc, 12, big));
                    }
                    break;
            }
            at = cmdEnd;
        }
        img.Dylibs = dylibs;
        img.RPaths = rpaths;
        img.Segments = segments;
        img.FirstContentOffset = firstContent;
        return img;
    }

    /// <summary>Decodes a Mach-O <c>xxxx.yy.zz</c> nibble-packed version (<c>(X&lt;&lt;16)|(Y&lt;&lt;8)|Z</c>).</summary>
    /// <param name="packed">The packed value, e.g. 0x000b0000 = 11.0.0.</param>
    public static Version DecodeVersion(uint packed) =>
        new((int)(packed >> 16), (int)((packed >> 8) & 0xff), (int)(packed & 0xff));

    /// <summary>Apple's name for a cputype/cpusubtype pair: <c>x86_64</c>, <c>x86_64h</c>, <c>arm64</c>, <c>arm64e</c>,
    /// <c>i386</c>, <c>arm</c>, <c>armv7</c>, <c>arm64_32</c>, <c>ppc</c>, <c>ppc64</c>, or <c>cpu-0xN</c>.</summary>
    /// <param name="cpuType">cputype.</param>
    /// <param name="cpuSubtype">cpusubtype (the capability bits in the top byte are ignored).</param>
    public static string GetArchitectureName(int cpuType, int cpuSubtype)
    {
        var sub = cpuSubtype & 0x00ffffff;
        return cpuType switch
        {
            CpuTypeX86_64 => sub == 8 ? "x86_64h" : "x86_64",
            CpuTypeX86 => "i386",
            CpuTypeArm64 => sub == 2 ? "arm64e" : "arm64",
            CpuTypeArm64_32 => "arm64_32",
            CpuTypeArm => sub switch { 9 => "armv7", 11 => "armv7s", 12 => "armv7k", 6 => "armv6", _ => "arm" },
            CpuTypePowerPC => "ppc",
            CpuTypePowerPC64 => "ppc64",
            _ => "cpu-0x" + cpuType.ToString("x", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The .NET architecture for a cputype, or null.</summary>
    /// <param name="cpuType">cputype.</param>
    public static Architecture? GetArchitecture(int cpuType) => cpuType switch
    {
        CpuTypeX86_64 => System.Runtime.InteropServices.Architecture.X64,
        CpuTypeX86 => System.Runtime.InteropServices.Architecture.X86,
        CpuTypeArm64 => System.Runtime.InteropServices.Architecture.Arm64,
        CpuTypeArm => System.Runtime.InteropServices.Architecture.Arm,
        _ => null,
    };

    /// <inheritdoc />
    public override string ToString() =>
        $"{FileName}: Mach-O {(IsFat ? "universal " : "")}[{string.Join(", ", Images.Select(i => i.ArchitectureName + " " + i.FileType))}]";
}

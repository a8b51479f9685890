using System.Globalization;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text;

namespace PyFreeze.Binaries;

/// <summary>Windows subsystem of a PE image (<c>IMAGE_OPTIONAL_HEADER.Subsystem</c>, PE/COFF spec "Windows Subsystem").</summary>
public enum PeSubsystem : ushort
{
    /// <summary>IMAGE_SUBSYSTEM_UNKNOWN.</summary>
    Unknown = 0,
    /// <summary>IMAGE_SUBSYSTEM_NATIVE: drivers and native processes.</summary>
    Native = 1,
    /// <summary>IMAGE_SUBSYSTEM_WINDOWS_GUI: no console is allocated (<c>-mwindows</c>, pythonw.exe).</summary>
    WindowsGui = 2,
    /// <summary>IMAGE_SUBSYSTEM_WINDOWS_CUI: console application (python.exe).</summary>
    WindowsConsole = 3,
    /// <summary>IMAGE_SUBSYSTEM_OS2_CUI.</summary>
    Os2Console = 5,
    /// <summary>IMAGE_SUBSYSTEM_POSIX_CUI.</summary>
    PosixConsole = 7,
    /// <summary>IMAGE_SUBSYSTEM_WINDOWS_CE_GUI.</summary>
    WindowsCeGui = 9,
    /// <summary>IMAGE_SUBSYSTEM_EFI_APPLICATION.</summary>
    EfiApplication = 10,
    /// <summary>IMAGE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER.</summary>
    EfiBootServiceDriver = 11,
    /// <summary>IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER.</summary>
    EfiRuntimeDriver = 12,
    /// <summary>IMAGE_SUBSYSTEM_EFI_ROM.</summary>
    EfiRom = 13,
    /// <summary>IMAGE_SUBSYSTEM_XBOX.</summary>
    Xbox = 14,
    /// <summary>IMAGE_SUBSYSTEM_WINDOWS_BOOT_APPLICATION.</summary>
    WindowsBootApplication = 16,
}

/// <summary>One Win32 resource of a PE image.</summary>
/// <param name="Type">Its type: <c>#N</c> for an integer id (<c>#3</c> RT_ICON, <c>#14</c> RT_GROUP_ICON, <c>#16</c>
/// RT_VERSION, <c>#24</c> RT_MANIFEST), else the type's name.</param>
/// <param name="Name">Its name, <c>#N</c> for an integer id.</param>
/// <param name="Language">Its language id (0 neutral, 1033 en-US).</param>
/// <param name="FileOffset">Where its bytes start in the file.</param>
/// <param name="Size">Its size in bytes.</param>
public sealed record PeResource(string Type, string Name, ushort Language, long FileOffset, uint Size);

/// <summary>One entry of the PE section table (PE/COFF spec "Section Table (Section Headers)").</summary>
/// <param name="Name">Section name, up to 8 ASCII characters, e.g. <c>.text</c>, <c>.idata</c>.</param>
/// <param name="VirtualAddress">RVA of the section when loaded (bytes from the image base).</param>
/// <param name="VirtualSize">Size in bytes when loaded.</param>
/// <param name="PointerToRawData">File offset of the section's data.</param>
/// <param name="SizeOfRawData">Size in bytes of the section's data in the file.</param>
/// <param name="Characteristics">IMAGE_SCN_* flags.</param>
public sealed record PeSection(string Name, uint VirtualAddress, uint VirtualSize, uint PointerToRawData, uint SizeOfRawData, uint Characteristics);

/// <summary>
/// The headers and import tables of a PE image (.exe, .dll, .pyd), per the Microsoft PE/COFF specification:
/// machine, PE32/PE32+, subsystem, characteristics, section table, the import directory (data directory 1) and the
/// delay-load import directory (13) DLL names, the export name, and whether a CLR (.NET) header (14) is present.
/// Pure managed code; works on any host.
/// </summary>
/// <remarks>The headers and the section table are read by <see cref="PEHeaders"/> (System.Reflection.PortableExecutable);
/// the import descriptors, delay-load descriptors, export name and resource tree are walked here.</remarks>
public sealed class PeFile
{
    /// <summary>IMAGE_FILE_DLL in <see cref="Characteristics"/>.</summary>
    public const ushort ImageFileDll = 0x2000;

    /// <summary>IMAGE_FILE_EXECUTABLE_IMAGE in <see cref="Characteristics"/>.</summary>
    public const ushort ImageFileExecutableImage = 0x0002;

    private const int MaxDescriptors = 1 << 16;

    private static readonly (string Os, ushort Mask)[] ReadyToRunOsMasks =
        [("osx", 0x4644), ("freebsd", 0xadc4), ("linux", 0x7b79), ("netbsd", 0x1993), ("sunos", 0x1992)];

    private PeFile(string fileName) => FileName = fileName;

    /// <summary>The path or display name the file was read from.</summary>
    public string FileName { get; }

    /// <summary>COFF machine (<c>IMAGE_FILE_HEADER.Machine</c>): 0x8664 x64, 0x14c x86, 0xaa64 arm64, 0x1c4 arm.
    /// For a ReadyToRun .NET image compiled for another OS, this is the raw value (machine XOR an OS constant, e.g.
    /// 0xfd1d = x64 for Linux); <see cref="MachineName"/> and <see cref="Architecture"/> decode it.</summary>
    public ushort Machine { get; private set; }

    /// <summary>For a ReadyToRun .NET image compiled for a non-Windows OS: that OS (<c>linux</c>, <c>osx</c>,
    /// <c>freebsd</c>, <c>netbsd</c>, <c>sunos</c>), decoded from <see cref="Machine"/>; otherwise null.</summary>
    public string? ReadyToRunTargetOs { get; private set; }

    /// <summary>The machine with any ReadyToRun OS constant removed.</summary>
    public ushort TargetMachine { get; private set; }

    /// <summary>The machine as Windows names it: <c>x64</c>, <c>x86</c>, <c>arm64</c>, <c>arm</c>, <c>ia64</c>,
    /// or <c>machine-0xNNNN</c>.</summary>
    public string MachineName => GetMachineName(TargetMachine);

    /// <summary>The .NET architecture of <see cref="TargetMachine"/>, or null (e.g. IA-64).</summary>
    public Architecture? Architecture => TargetMachine switch
    {
        0x8664 => System.Runtime.InteropServices.Architecture.X64,
        0x14c => System.Runtime.InteropServices.Architecture.X86,
        0xaa64 => System.Runtime.InteropServices.Architecture.Arm64,
        0x1c4 or 0x1c0 => System.Runtime.InteropServices.Architecture.Arm,
        _ => null,
    };

    /// <summary>True for PE32+ (optional header magic 0x20b, 64-bit images); false for PE32 (0x10b).</summary>
    public bool IsPe32Plus { get; private set; }

    /// <summary>COFF characteristics (IMAGE_FILE_*).</summary>
    public ushort Characteristics { get; private set; }

    /// <summary>True when IMAGE_FILE_DLL is set (a .dll or .pyd).</summary>
    public bool IsDll => (Characteristics & ImageFileDll) != 0;

    /// <summary>Subsystem from the optional header.</summary>
    public PeSubsystem Subsystem { get; private set; }

    /// <summary>DllCharacteristics from the optional header (IMAGE_DLLCHARACTERISTICS_*).</summary>
    public ushort DllCharacteristics { get; private set; }

    /// <summary>Preferred load address (ImageBase).</summary>
    public ulong ImageBase { get; private set; }

    /// <summary>The section table, in file order.</summary>
    public IReadOnlyList<PeSection> Sections { get; private set; } = [];

    /// <summary>DLL names of the import directory, in descriptor order, case as written (e.g. <c>KERNEL32.dll</c>).</summary>
    public IReadOnlyList<string> Imports { get; private set; } = [];

    /// <summary>DLL names of the delay-load import directory (loaded on first call), in order, case preserved.</summary>
    public IReadOnlyList<string> DelayImports { get; private set; } = [];

    /// <summary>The DLL's own name from its export directory (e.g. <c>python311.dll</c>); null when it exports nothing.</summary>
    public string? ExportName { get; private set; }

    /// <summary>The Win32 resources (<c>.rsrc</c>: icons, version information, manifests), as leaves of the resource
    /// directory tree. Their bytes are not read; see <see cref="PeResource.FileOffset"/>.</summary>
    public IReadOnlyList<PeResource> Resources { get; private set; } = [];

    /// <summary>True when the CLR runtime header (data directory 14) is present: a .NET assembly.</summary>
    public bool IsDotNet { get; private set; }

    /// <summary>Reads the PE file at <paramref name="path"/>.</summary>
    /// <exception cref="BinaryFormatException">Not a PE image, or truncated/corrupt.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static PeFile Read(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        return Read(fs, path);
    }

    /// <summary>Reads a PE image from <paramref name="stream"/> (position 0 = "MZ"); the stream is left open.</summary>
    /// <param name="stream">The file's bytes.</param>
    /// <param name="fileName">Name for error messages.</param>
    /// <exception cref="BinaryFormatException">Not a PE image, or truncated/corrupt.</exception>
    public static PeFile Read(Stream stream, string fileName)
    {
        using var src = new ByteSource(stream, fileName);
        return Read(src);
    }

    /// <summary>The Windows name of a COFF machine value.</summary>
    /// <param name="machine">IMAGE_FILE_HEADER.Machine.</param>
    public static string GetMachineName(ushort machine) => machine switch
    {
        0x8664 => "x64",
        0x14c => "x86",
        0xaa64 => "arm64",
        0x1c4 => "arm",
        0x1c0 => "arm",
        0x200 => "ia64",
        0xa641 => "arm64ec",
        _ => "machine-0x" + machine.ToString("x4", CultureInfo.InvariantCulture),
    };

    internal static PeFile Read(ByteSource src)
    {
        var pe = new PeFile(src.Name);
        if (src.Length < 64)
            throw src.Error($"not a PE image: {src.Length} bytes is shorter than the 64 byte DOS header");
        if (src.U16(0, false, "DOS header") != 0x5a4d)
            throw src.Error("not a PE image (no MZ signature)", 0);
        long peOff = src.U32(0x3c, false, "e_lfanew");
        src.Check(peOff, 24, "PE signature and COFF header");
        if (src.U32(peOff, false, "PE signature") != 0x00004550)
            throw src.Error("no PE\\0\\0 signature at e_lfanew (a DOS program, not a PE image)", peOff);
        // The headers and section table through System.Reflection.PortableExecutable; the import, delay-load, export
        // and resource walks below stay ours (PEReader reads those only for .NET metadata).
        PEHeaders headers;
        try
        {
            using var view = src.AsStream();
            headers = new PEHeaders(view);
        }
        catch (BadImageFormatException e)
        {
            throw src.Error($"not a valid PE image: {e.Message.TrimEnd('.')}", peOff);
        }
        var opt = headers.PEHeader ?? throw src.Error("no optional header (a COFF object, not an image)", peOff + 20);
        pe.Machine = (ushort)headers.CoffHeader.Machine;
        pe.Characteristics = (ushort)headers.CoffHeader.Characteristics;
        pe.IsPe32Plus = opt.Magic == PEMagic.PE32Plus;
        pe.ImageBase = opt.ImageBase;
        pe.Subsystem = (PeSubsystem)(ushort)opt.Subsystem;
        pe.DllCharacteristics = (ushort)opt.DllCharacteristics;
        var sizeOfHeaders = (uint)opt.SizeOfHeaders;
        var directories = Math.Min(opt.NumberOfRvaAndSizes, 16);

        (uint Rva, uint Size) Dir(DirectoryEntry entry, int index) =>
            index < directories ? ((uint)entry.RelativeVirtualAddress, (uint)entry.Size) : (0, 0);

        var sections = headers.SectionHeaders.Select(h => new PeSection(h.Name, (uint)h.VirtualAddress, (uint)h.VirtualSize,
            (uint)h.PointerToRawData, (uint)h.SizeOfRawData, (uint)h.SectionCharacteristics)).ToList();
        pe.Sections = sections;

        var mapper = new RvaMapper(src, sections, sizeOfHeaders);
        var (impRva, _) = Dir(opt.ImportTableDirectory, 1);
        if (impRva != 0)
            pe.Imports = ReadImports(src, mapper, impRva);
        var (delayRva, _) = Dir(opt.DelayImportTableDirectory, 13);
        if (delayRva != 0)
            pe.DelayImports = ReadDelayImports(src, mapper, delayRva, pe.ImageBase);
        var (expRva, expSize) = Dir(opt.ExportTableDirectory, 0);
        if (expRva != 0 && expSize >= 40)
        {
            var nameRva = src.U32(mapper.Map(expRva + 12, 4, "export directory Name"), false, "export directory Name");
            if (nameRva != 0)
                pe.ExportName = mapper.ReadString(nameRva, "export directory Name");
        }
        var (rsrcRva, _) = Dir(opt.ResourceTableDirectory, 2);
        if (rsrcRva != 0)
        {
            try
            {
                pe.Resources = ReadResources(src, mapper, rsrcRva);
            }
            catch (BinaryFormatException)
            {
                // Resources never decide a build's dependencies: a damaged tree leaves the list empty.
            }
        }
        var (clrRva, clrSize) = Dir(opt.CorHeaderTableDirectory, 14);
        pe.IsDotNet = clrRva != 0 && clrSize != 0;
        pe.TargetMachine = pe.Machine;
        if (pe.IsDotNet && GetMachineName(pe.Machine).StartsWith("machine-", StringComparison.Ordinal))
        {
            // ReadyToRun images for other OSes XOR the machine with an OS constant (dotnet/runtime
            // src/coreclr/inc/pedecoder.h, IMAGE_FILE_MACHINE_NATIVE_OS_OVERRIDE).
            foreach (var (os, mask) in ReadyToRunOsMasks)
            {
                var m = (ushort)(pe.Machine ^ mask);
                if (m is 0x8664 or 0x14c or 0xaa64 or 0x1c4)
                {
                    pe.TargetMachine = m;
                    pe.ReadyToRunTargetOs = os;
                    break;
                }
            }
        }
        return pe;
    }

    private static List<PeResource> ReadResources(ByteSource src, RvaMapper mapper, uint rva)
    {
        // IMAGE_RESOURCE_DIRECTORY (16 bytes; named entry count at 12, id entry count at 14) followed by 8-byte entries
        // (name or id; high bit of the second word: a subdirectory, else an IMAGE_RESOURCE_DATA_ENTRY). Three levels:
        // type, name, language. Offsets are relative to the start of the resource directory.
        var list = new List<PeResource>();
        string NameOf(uint value)
        {
            if ((value & 0x8000_0000) == 0)
                return "#" + value.ToString(CultureInfo.InvariantCulture);
            var at = mapper.Map(rva + (value & 0x7fff_ffff), 2, "resource name");
            var length = src.U16(at, false, "resource name length");
            var bytes = new byte[length * 2];
            src.Read(mapper.Map(rva + (value & 0x7fff_ffff) + 2, bytes.Length, "resource name"), bytes, "resource name");
            return Encoding.Unicode.GetString(bytes);
        }
        void Walk(uint offset, int level, string? type, string? name)
        {
            var dir = mapper.Map(rva + offset, 16, "resource directory");
            var count = src.U16(dir + 12, false, "resource directory") + src.U16(dir + 14, false, "resource directory");
            for (var i = 0; i < count; i++)
            {
                var entry = mapper.Map(rva + offset + 16 + (uint)(i * 8), 8, "resource directory entry");
                var id = src.U32(entry, false, "resource directory entry");
                var target = src.U32(entry + 4, false, "resource directory entry");
                var isDir = (target & 0x8000_0000) != 0;
                if (isDir != level < 2 || list.Count > 100_000)
                    throw src.Error("malformed resource directory (wrong depth or too many entries)", entry);
                if (isDir)
                {
                    Walk(target & 0x7fff_ffff, level + 1, level == 0 ? NameOf(id) : type, level == 1 ? NameOf(id) : name);
                    continue;
                }
                var data = mapper.Map(rva + target, 16, "resource data entry");
                var dataRva = src.U32(data, false, "resource data entry");
                var size = src.U32(data + 4, false, "resource data entry");
                list.Add(new PeResource(type!, name!, (ushort)id, mapper.Map(dataRva, (int)Math.Min(size, int.MaxValue), "resource data"), size));
            }
        }
        Walk(0, 0, null, null);
        return list;
    }

    private static List<string> ReadImports(ByteSource src, RvaMapper mapper, uint rva)
    {
        // IMAGE_IMPORT_DESCRIPTOR: OriginalFirstThunk, TimeDateStamp, ForwarderChain, Name, FirstThunk (20 bytes),
        // the table ending with an all-zero descriptor.
        var names = new List<string>();
        Span<byte> d = stackalloc byte[20];
        for (var i = 0; i < MaxDescriptors; i++)
        {
            var at = mapper.Map(rva + (uint)(i * 20), 20, "import descriptor");
            src.Read(at, d, "import descriptor");
            var nameRva = Endian.U32(d, 12, false);
            if (nameRva == 0 && Endian.U32(d, 0, false) == 0 && Endian.U32(d, 16, false) == 0)
                return names;
            if (nameRva == 0)
                throw src.Error($"import descriptor {i} has no Name", at);
            names.Add(mapper.ReadString(nameRva, "import DLL name"));
        }
        throw src.Error($"import directory has more than {MaxDescriptors} descriptors (no terminating empty descriptor)");
    }

    private static List<string> ReadDelayImports(ByteSource src, RvaMapper mapper, uint rva, ulong imageBase)
    {
        // ImgDelayDescr: Attributes, DllNameRVA, ModuleHandleRVA, IAT, INT, BoundIAT, UnloadIAT, TimeDateStamp
        // (32 bytes), ending with a zero descriptor. Attributes bit 0 clear = old VC6 layout with VAs, not RVAs.
        var names = new List<string>();
        Span<byte> d = stackalloc byte[32];
        for (var i = 0; i < MaxDescriptors; i++)
        {
            var at = mapper.Map(rva + (uint)(i * 32), 32, "delay-load descriptor");
            src.Read(at, d, "delay-load descriptor");
            var attrs = Endian.U32(d, 0, false);
            ulong nameRef = Endian.U32(d, 4, false);
            if (nameRef == 0)
                return names;
            if ((attrs & 1) == 0 && nameRef >= imageBase)
                nameRef -= imageBase;
            if (nameRef > uint.MaxValue)
                throw src.Error($"delay-load descriptor {i} DLL name address 0x{nameRef:x} is outside the image", at);
            names.Add(mapper.ReadString((uint)nameRef, "delay-load DLL name"));
        }
        throw src.Error($"delay-load directory has more than {MaxDescriptors} descriptors (no terminating empty descriptor)");
    }

    /// <summary>Maps RVAs to file offsets through the section table (PE/COFF spec "Section Table").</summary>
    private sealed class RvaMapper(ByteSource src, List<PeSection> sections, uint sizeOfHeaders)
    {
        public long Map(uint rva, int count, string what)
        {
            foreach (var s in sections)
            {
                var span = Math.Max(s.VirtualSize, s.SizeOfRawData);
                if (rva >= s.VirtualAddress && rva - s.VirtualAddress < span)
                {
                    var delta = rva - s.VirtualAddress;
                    if ((long)delta + count > s.SizeOfRawData)
                        throw src.Error($"{what} at RVA 0x{rva:x} lies in the uninitialized part of section {s.Name}");
                    var off = (long)s.PointerToRawData + delta;
                    src.Check(off, count, what);
                    return off;
                }
            }
            if (rva < sizeOfHeaders)
            {
                src.Check(rva, count, what);
                return rva;
            }
            throw src.Error($"{what} RVA 0x{rva:x} is not inside any section");
        }

        public string ReadString(uint rva, string what)
        {
            var off = Map(rva, 1, what);
            long limit = src.Length;
            foreach (var s in sections)
                if (rva >= s.VirtualAddress && rva - s.VirtualAddress < s.SizeOfRawData)
                    limit = Math.Min(limit, (long)s.PointerToRawData + s.SizeOfRawData);
            return src.ReadCString(off, limit, what, Encoding.Latin1);
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{FileName}: PE{(IsPe32Plus ? "32+" : "32")} {MachineName} {(IsDll ? "DLL" : "EXE")} {Subsystem}, imports [{string.Join(", ", Imports)}]";
}

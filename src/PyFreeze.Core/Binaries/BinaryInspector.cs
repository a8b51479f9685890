using System.Runtime.InteropServices;

namespace PyFreeze.Binaries;

/// <summary>Container format of a native binary.</summary>
public enum BinaryFormat
{
    /// <summary>ELF (Linux and other System V systems).</summary>
    Elf,
    /// <summary>PE/COFF (Windows .exe, .dll, .pyd).</summary>
    Pe,
    /// <summary>Mach-O, thin or universal (macOS .dylib, bundles, executables).</summary>
    MachO,
}

/// <summary>How a binary needs a library, which decides whether a missing one is an error.</summary>
public enum NeededKind
{
    /// <summary>Required at load time (ELF DT_NEEDED, PE import, LC_LOAD_DYLIB).</summary>
    Required,
    /// <summary>Optional: the loader goes on without it (LC_LOAD_WEAK_DYLIB).</summary>
    Weak,
    /// <summary>Loaded on first call (PE delay-load import, LC_LAZY_LOAD_DYLIB); a missing one fails only when used.</summary>
    Delayed,
    /// <summary>Required and re-exported (LC_REEXPORT_DYLIB).</summary>
    Reexport,
    /// <summary>Required upward dependency (LC_LOAD_UPWARD_DYLIB).</summary>
    Upward,
}

/// <summary>A library a binary names.</summary>
/// <param name="Name">As written in the binary: DT_NEEDED name, DLL name, or Mach-O install name.</param>
/// <param name="Kind">How it is needed.</param>
public sealed record NeededLibrary(string Name, NeededKind Kind)
{
    /// <summary>True when the binary loads without it (<see cref="NeededKind.Weak"/>, <see cref="NeededKind.Delayed"/>).</summary>
    public bool IsOptional => Kind is NeededKind.Weak or NeededKind.Delayed;
}

/// <summary>
/// A format-independent view of a native binary: what the dependency walker needs. The format-specific object is
/// kept in <see cref="Elf"/>, <see cref="Pe"/> or <see cref="MachO"/>/<see cref="MachOImage"/>.
/// </summary>
public sealed class BinaryInfo
{
    internal BinaryInfo(string fileName, BinaryFormat format) { FileName = fileName; Format = format; }

    /// <summary>The path or display name it was read from.</summary>
    public string FileName { get; }

    /// <summary>The container format.</summary>
    public BinaryFormat Format { get; }

    /// <summary>.NET architecture of the (selected) image, or null when .NET has no name for it.</summary>
    public Architecture? Architecture { get; internal init; }

    /// <summary>Machine name in the format's own spelling: ELF <c>x86_64</c>/<c>aarch64</c>, PE <c>x64</c>/<c>arm64</c>,
    /// Mach-O <c>x86_64</c>/<c>arm64</c>.</summary>
    public string MachineName { get; internal init; } = "";

    /// <summary>All architectures in the file (several for a universal Mach-O).</summary>
    public IReadOnlyList<string> Architectures { get; internal init; } = [];

    /// <summary>True for a shared library / DLL / dylib / bundle (something loaded into a process), false for an executable.</summary>
    public bool IsLibrary { get; internal init; }

    /// <summary>Needed libraries in load order.</summary>
    public IReadOnlyList<NeededLibrary> Needed { get; internal init; } = [];

    /// <summary>Names of <see cref="Needed"/>.</summary>
    public IReadOnlyList<string> NeededNames => Needed.Select(n => n.Name).ToList();

    /// <summary>ELF DT_RPATH elements, or Mach-O LC_RPATH paths; empty for PE.</summary>
    public IReadOnlyList<string> RPaths { get; internal init; } = [];

    /// <summary>ELF DT_RUNPATH elements; empty for other formats.</summary>
    public IReadOnlyList<string> RunPaths { get; internal init; } = [];

    /// <summary>The binary's own name: ELF DT_SONAME, Mach-O install name (LC_ID_DYLIB), PE export-directory name; or null.</summary>
    public string? Name { get; internal init; }

    /// <summary>The ELF view, for ELF files.</summary>
    public ElfFile? Elf { get; internal init; }

    /// <summary>The PE view, for PE files.</summary>
    public PeFile? Pe { get; internal init; }

    /// <summary>The whole Mach-O file (all slices), for Mach-O files.</summary>
    public MachOFile? MachO { get; internal init; }

    /// <summary>The selected Mach-O image (slice).</summary>
    public MachOImage? MachOImage { get; internal init; }

    /// <inheritdoc />
    public override string ToString() => $"{FileName}: {Format} {MachineName}, needs [{string.Join(", ", NeededNames)}]";
}

/// <summary>
/// Sniffs a file's format by its magic number and reads it into a <see cref="BinaryInfo"/>: ELF (<c>\x7fELF</c>),
/// PE (<c>MZ</c> with a <c>PE\0\0</c> signature at <c>e_lfanew</c>), Mach-O (<c>feedface</c>/<c>feedfacf</c> in
/// either byte order, or a <c>cafebabe</c> fat header with 1–30 slices). Anything else (a .py file, text, an empty
/// file, a DOS program, a Java class) is "not a binary".
/// </summary>
public static class BinaryInspector
{
    /// <summary>The format of the file at <paramref name="path"/>, or null when it is not a native binary.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static BinaryFormat? Identify(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        return Identify(fs);
    }

    /// <summary>The format of the bytes in <paramref name="stream"/> (seekable, from position 0), or null.
    /// Reads at most 64 bytes plus 4 at the PE header offset; never throws for short or odd files.</summary>
    public static BinaryFormat? Identify(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> head = stackalloc byte[64];
        stream.Position = 0;
        var n = ReadUpTo(stream, head);
        head = head[..n];
        if (ElfFile.HasElfMagic(head))
            return BinaryFormat.Elf;
        if (MachOFile.HasThinMagic(head) || MachOFile.HasFatMagic(head))
            return BinaryFormat.MachO;
        if (n >= 64 && head[0] == 'M' && head[1] == 'Z' && stream.CanSeek)
        {
            var lfanew = Endian.U32(head, 0x3c, false);
            if (lfanew + 4L <= stream.Length)
            {
                Span<byte> sig = stackalloc byte[4];
                stream.Position = lfanew;
                if (ReadUpTo(stream, sig) == 4 && sig[0] == 'P' && sig[1] == 'E' && sig[2] == 0 && sig[3] == 0)
                    return BinaryFormat.Pe;
            }
        }
        return null;
    }

    private static int ReadUpTo(Stream s, Span<byte> buf)
    {
        var total = 0;
        while (total < buf.Length)
        {
            var r = s.Read(buf[total..]);
            if (r == 0) break;
            total += r;
        }
        return total;
    }

    /// <summary>Reads the binary at <paramref name="path"/>, or returns null when it is not a native binary.</summary>
    /// <param name="path">File path.</param>
    /// <param name="architecture">For a universal Mach-O, the slice to describe (<c>arm64</c>, <c>x86_64</c> …); null
    /// takes the first. Ignored for ELF and PE.</param>
    /// <exception cref="BinaryFormatException">The magic is right but the file is truncated or corrupt, or the
    /// universal file has no slice for <paramref name="architecture"/>.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static BinaryInfo? Read(string path, string? architecture = null)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        return Read(fs, path, architecture);
    }

    /// <summary>Reads a binary from <paramref name="stream"/>, or returns null when it is not a native binary.</summary>
    /// <param name="stream">Seekable bytes from position 0; left open.</param>
    /// <param name="fileName">Name for messages.</param>
    /// <param name="architecture">Universal Mach-O slice to describe; null = first.</param>
    /// <exception cref="BinaryFormatException">Truncated or corrupt, or no such slice.</exception>
    public static BinaryInfo? Read(Stream stream, string fileName, string? architecture = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            stream = copy;
        }
        var format = Identify(stream);
        if (format is null)
            return null;
        stream.Position = 0;
        using var src = new ByteSource(stream, fileName);
        switch (format.Value)
        {
            case BinaryFormat.Elf:
            {
                var elf = ElfFile.Read(src);
                return new BinaryInfo(fileName, BinaryFormat.Elf)
                {
                    Architecture = elf.Architecture,
                    MachineName = elf.MachineName,
                    Architectures = [elf.MachineName],
                    IsLibrary = elf.Type == ElfType.SharedObject && (elf.Interpreter is null || elf.SoName is not null),
                    Needed = elf.Needed.Select(n => new NeededLibrary(n, NeededKind.Required)).ToList(),
                    RPaths = elf.RPath,
                    RunPaths = elf.RunPath,
                    Name = elf.SoName,
                    Elf = elf,
                };
            }
            case BinaryFormat.Pe:
            {
                var pe = PeFile.Read(src);
                return new BinaryInfo(fileName, BinaryFormat.Pe)
                {
                    Architecture = pe.Architecture,
                    MachineName = pe.MachineName,
                    Architectures = [pe.MachineName],
                    IsLibrary = pe.IsDll,
                    Needed = pe.Imports.Select(n => new NeededLibrary(n, NeededKind.Required))
                        .Concat(pe.DelayImports.Select(n => new NeededLibrary(n, NeededKind.Delayed))).ToList(),
                    Name = pe.ExportName,
                    Pe = pe,
                };
            }
            default:
            {
                var macho = MachOFile.Read(src);
                var image = architecture is null
                    ? macho.Images[0]
                    : macho.Select(architecture) ?? throw new BinaryFormatException(fileName,
                        $"has no {architecture} slice (it has {string.Join(", ", macho.Images.Select(i => i.ArchitectureName))})");
                return new BinaryInfo(fileName, BinaryFormat.MachO)
                {
                    Architecture = image.Architecture,
                    MachineName = image.ArchitectureName,
                    Architectures = macho.Images.Select(i => i.ArchitectureName).ToList(),
                    IsLibrary = image.FileType is MachOFileType.Dylib or MachOFileType.Bundle,
                    Needed = image.Dylibs.Select(d => new NeededLibrary(d.Name, d.Kind switch
                    {
                        MachODylibKind.Weak => NeededKind.Weak,
                        MachODylibKind.Lazy => NeededKind.Delayed,
                        MachODylibKind.Reexport => NeededKind.Reexport,
                        MachODylibKind.Upward => NeededKind.Upward,
                        _ => NeededKind.Required,
                    })).ToList(),
                    RPaths = image.RPaths,
                    Name = image.InstallName,
                    MachO = macho,
                    MachOImage = image,
                };
            }
        }
    }
}

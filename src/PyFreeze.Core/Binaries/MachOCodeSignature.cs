using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PyFreeze.Binaries;

/// <summary>
/// What <see cref="MachOCodeSignature.Verify(string)"/> found in one Mach-O image (or, for a universal file, the
/// summary of all slices, each in <see cref="Slices"/>).
/// </summary>
/// <param name="FileName">The file as given.</param>
/// <param name="Architecture">The image's architecture (<c>arm64</c>, <c>x86_64</c> …); for a universal file the
/// slices' names joined with <c>+</c>.</param>
/// <param name="IsSigned">True when LC_CODE_SIGNATURE is present and holds a SuperBlob with a CodeDirectory (every
/// slice, for a universal file).</param>
/// <param name="Identifier">The CodeDirectory's identifier (e.g. <c>libfoo</c>), or null when unsigned; the first
/// slice's for a universal file.</param>
/// <param name="Flags">The CodeDirectory's flags (<c>CS_ADHOC</c> = 0x2, <c>CS_LINKER_SIGNED</c> = 0x20000, from xnu
/// <c>osfmk/kern/cs_blobs.h</c>); 0 when unsigned.</param>
/// <param name="IsValid">True when the image is signed and every code page hash and every special-slot hash of every
/// CodeDirectory matches the file's current bytes.</param>
/// <param name="Problem">Why <see cref="IsValid"/> is false, one line (e.g. <c>page 3 (bytes 0x3000..0x4000) does
/// not match its hash</c>); null when valid.</param>
/// <param name="MismatchedPage">Index of the first code page (4096-byte pages counted from the start of the image)
/// whose hash does not match, or null.</param>
/// <param name="CodeLimit">The CodeDirectory's codeLimit: bytes of the image covered by page hashes (= the
/// signature's offset for signatures made by codesign, ld64, lld and <see cref="MachOCodeSignature.Sign(string,string)"/>).</param>
/// <param name="Slices">For a universal file, one result per slice in fat_arch order; empty for a thin file.</param>
public sealed record MachOSignatureInfo(
    string FileName,
    string Architecture,
    bool IsSigned,
    string? Identifier,
    uint Flags,
    bool IsValid,
    string? Problem,
    int? MismatchedPage,
    long CodeLimit,
    IReadOnlyList<MachOSignatureInfo> Slices)
{
    /// <summary>True when <see cref="Flags"/> has CS_ADHOC (0x2): no certificate, only hashes.</summary>
    public bool IsAdHoc => (Flags & MachOCodeSignature.CS_ADHOC) != 0;

    /// <summary>True when <see cref="Flags"/> has CS_LINKER_SIGNED (0x20000): written by ld64/lld, not codesign.</summary>
    public bool IsLinkerSigned => (Flags & MachOCodeSignature.CS_LINKER_SIGNED) != 0;
}

/// <summary>
/// Writes and checks ad hoc code signatures of Mach-O files, as <c>codesign -s -</c> does, without Apple's tools.
/// macOS on Apple Silicon refuses to map code pages of a dylib, bundle or executable that carries no valid
/// signature; an ad hoc one (hashes only, no certificate) is enough.
/// </summary>
/// <remarks>
/// <para>Layout (xnu <c>osfmk/kern/cs_blobs.h</c>; every blob field big-endian): the LC_CODE_SIGNATURE load command
/// (<c>linkedit_data_command</c>, <c>&lt;mach-o/loader.h&gt;</c>) points at a SuperBlob (magic 0xfade0cc0) at the
/// end of __LINKEDIT holding, in this order: a CodeDirectory (0xfade0c02, version 0x20400, slot 0) with SHA-256
/// hashes of every 4096-byte page of the image up to the signature (the last page partial); an empty Requirements
/// blob (0xfade0c01, count 0, slot 2) whose hash is the CodeDirectory's special slot -2 (slot -1, Info.plist, is
/// zero); and an empty CMS wrapper (0xfade0b01, 8 bytes, slot 0x10000), as codesign writes for an ad hoc signature.
/// The CodeDirectory's flags are CS_ADHOC, its execSeg fields give __TEXT's file range and CS_EXECSEG_MAIN_BINARY
/// for an executable, and its teamID is absent.</para>
/// <para>Output is deterministic: signing the same bytes with the same identifier gives the same file, and re-signing
/// a signed file gives the same bytes again.</para>
/// </remarks>
public static class MachOCodeSignature
{
    /// <summary>CS_ADHOC: ad hoc signed (cs_blobs.h).</summary>
    public const uint CS_ADHOC = 0x2;
    /// <summary>CS_LINKER_SIGNED: ad hoc signature written by the linker (cs_blobs.h).</summary>
    public const uint CS_LINKER_SIGNED = 0x20000;
    /// <summary>Bytes per hashed code page (2^12, the CodeDirectory's pageSize field holds 12).</summary>
    public const int CodePageSize = 4096;

    internal const uint CSMAGIC_REQUIREMENTS = 0xfade0c01, CSMAGIC_CODEDIRECTORY = 0xfade0c02,
        CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0, CSMAGIC_BLOBWRAPPER = 0xfade0b01;
    internal const uint CSSLOT_CODEDIRECTORY = 0, CSSLOT_REQUIREMENTS = 2, CSSLOT_ALTERNATE_CODEDIRECTORIES = 0x1000,
        CSSLOT_SIGNATURESLOT = 0x10000;
    internal const byte CS_HASHTYPE_SHA1 = 1, CS_HASHTYPE_SHA256 = 2, CS_HASHTYPE_SHA256_TRUNCATED = 3, CS_HASHTYPE_SHA384 = 4;
    internal const ulong CS_EXECSEG_MAIN_BINARY = 1;
    private const int CodeDirectoryHeaderSize = 88; // version 0x20400 (through execSegFlags)
    private const int SpecialSlots = 2;             // -1 Info.plist (zero), -2 requirements
    private const int HashSize = 32;

    /// <summary>
    /// Signs the Mach-O file at <paramref name="path"/> ad hoc, in place: the new file is written beside it and renamed
    /// over it (the file mode is kept; a symbolic link is followed and stays a link), so a reader never sees half a
    /// file. An existing signature (ad hoc, linker or certificate-based) is replaced;
    /// otherwise a 16-byte LC_CODE_SIGNATURE is added in the header padding. The signature is appended to __LINKEDIT
    /// at the next 16-byte boundary, and __LINKEDIT's filesize and vmsize (rounded up to the segment page: 16 KiB for
    /// arm64, 4 KiB otherwise) and the header's ncmds/sizeofcmds are updated. A universal file has every slice signed
    /// and the slices laid out again at their fat_arch alignment.
    /// </summary>
    /// <param name="path">A thin or universal Mach-O file whose images are 64-bit little-endian (arm64, x86_64 …)
    /// MH_EXECUTE, MH_DYLIB or MH_BUNDLE.</param>
    /// <param name="identifier">The signing identifier stored in the CodeDirectory (codesign uses the file name without
    /// extension, e.g. <c>libpython3.12</c>); non-empty, no NUL.</param>
    /// <exception cref="BinaryFormatException">Not Mach-O, truncated, 32-bit or big-endian, another file type, no
    /// __TEXT/__LINKEDIT, __LINKEDIT not the last segment or not ending at the end of the image, no room in the header
    /// for the load command, or an image of 4 GiB or more. The file is left unchanged.</exception>
    /// <exception cref="IOException">The file cannot be read, or the new file cannot be written or renamed.</exception>
    public static void Sign(string path, string identifier)
    {
        ValidateIdentifier(identifier);
        var full = Path.GetFullPath(path);
        // Sign the file a symbolic link points to, and keep the link (renaming over it would replace it with a copy).
        if (new FileInfo(full).LinkTarget is not null && File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target)
            full = target.FullName;
        var dir = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(dir, "." + Path.GetFileName(full) + ".sign-" + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            using (var input = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess))
            {
                var plan = Plan(input, path, identifier);
                using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                Write(input, plan, output);
                output.Flush(true);
            }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, File.GetUnixFileMode(full));
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Signs the Mach-O bytes of <paramref name="input"/> (position 0 = magic) and writes the signed file to
    /// <paramref name="output"/> from its current position. Same rules as <see cref="Sign(string,string)"/>.</summary>
    /// <param name="input">A seekable stream with the file's bytes; left open.</param>
    /// <param name="output">Where the signed file goes; left open.</param>
    /// <param name="fileName">Name for error messages.</param>
    /// <param name="identifier">The signing identifier.</param>
    /// <exception cref="BinaryFormatException">As for <see cref="Sign(string,string)"/>; nothing is written.</exception>
    public static void Sign(Stream input, Stream output, string fileName, string identifier)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ValidateIdentifier(identifier);
        var plan = Plan(input, fileName, identifier);
        Write(input, plan, output);
    }

    /// <summary>
    /// Reads the code signature of the Mach-O file at <paramref name="path"/> and checks every hash against the file's
    /// bytes: the page hashes of each CodeDirectory (slot 0 and alternates, SHA-1/SHA-256/SHA-384) and the special
    /// slots whose blobs are embedded (requirements, entitlements). Signatures by codesign, ld64/lld (linker-signed,
    /// flags 0x20002, no requirements) and <see cref="Sign(string,string)"/> are understood. The CMS blob is not
    /// checked (ad hoc signatures have none).
    /// </summary>
    /// <param name="path">A thin or universal Mach-O file.</param>
    /// <returns>What was found; an unsigned or badly signed image is reported in the result, not thrown.</returns>
    /// <exception cref="BinaryFormatException">Not Mach-O, or the headers/load commands are truncated or corrupt.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static MachOSignatureInfo Verify(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        return Verify(fs, path);
    }

    /// <summary>As <see cref="Verify(string)"/> for a seekable stream (position 0 = magic); the stream is left open.</summary>
    /// <param name="stream">The file's bytes.</param>
    /// <param name="fileName">Name for messages.</param>
    /// <exception cref="BinaryFormatException">Not Mach-O, or the headers/load commands are truncated or corrupt.</exception>
    public static MachOSignatureInfo Verify(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
            throw new ArgumentException("the stream must be seekable", nameof(stream));
        var file = MachOFile.Read(stream, fileName);
        if (!file.IsFat)
            return VerifyImage(stream, fileName, file.Images[0], stream.Length);
        var slices = new List<MachOSignatureInfo>();
        for (var i = 0; i < file.Images.Count; i++)
            slices.Add(VerifyImage(stream, fileName, file.Images[i], file.FatArchitectures[i].Size));
        var bad = slices.FirstOrDefault(s => !s.IsValid);
        return new MachOSignatureInfo(fileName, string.Join("+", slices.Select(s => s.Architecture)),
            slices.All(s => s.IsSigned), slices[0].Identifier, slices[0].Flags, bad is null,
            bad is null ? null : $"{bad.Architecture} slice: {bad.Problem}", bad?.MismatchedPage, slices[0].CodeLimit, slices);
    }

    private static void ValidateIdentifier(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (identifier.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("the identifier may not contain NUL", nameof(identifier));
    }

    // ---------------------------------------------------------------- signing

    /// <summary>Everything decided about one image before a byte is written.</summary>
    private sealed class SlicePlan
    {
        public long SourceOffset;      // of the image in the input
        public byte[] Header = [];     // the image's first bytes with the load command edits applied
        public long CopyLimit;         // image bytes kept from the input; zero from here to SignatureOffset
        public long SignatureOffset;   // = codeLimit, 16-byte aligned
        public uint SignatureSize;     // datasize (blob padded to 16)
        public byte[] Identifier = [];
        public ulong ExecSegBase, ExecSegLimit, ExecSegFlags;
        public uint Align;             // fat_arch align (power of two)
        public int CpuType, CpuSubtype;
        public long NewLength => SignatureOffset + SignatureSize;
    }

    private sealed class FilePlan
    {
        public bool IsFat, Fat64;
        public List<SlicePlan> Slices = [];
        public long[] Offsets = [];    // of each signed slice in a universal file
    }

    private static FilePlan Plan(Stream input, string fileName, string identifier)
    {
        using var src = new ByteSource(input, fileName);
        var file = MachOFile.Read(src);
        var plan = new FilePlan { IsFat = file.IsFat };
        var ident = Encoding.UTF8.GetBytes(identifier + "\0");
        if (!file.IsFat)
        {
            plan.Slices.Add(PlanImage(src, file.Images[0], 0, src.Length, ident));
            return plan;
        }
        Span<byte> magic = stackalloc byte[4];
        src.Read(0, magic, "fat magic");
        plan.Fat64 = BinaryPrimitives.ReadUInt32BigEndian(magic) == MachOFile.FAT_MAGIC_64;
        for (var i = 0; i < file.Images.Count; i++)
        {
            var arch = file.FatArchitectures[i];
            if (arch.Align > 20)
                throw src.Error($"slice {i} ({arch.ArchitectureName}) declares alignment 2^{arch.Align}, more than 2^20", 8);
            var slice = PlanImage(src.Slice(arch.Offset, arch.Size, "fat slice"), file.Images[i], arch.Offset, arch.Size, ident);
            slice.Align = arch.Align;
            slice.CpuType = arch.CpuType;
            slice.CpuSubtype = arch.CpuSubtype;
            plan.Slices.Add(slice);
        }
        // Lay the signed slices out again: each at the next multiple of 2^align after the previous one.
        var n = plan.Slices.Count;
        long pos = 8 + n * (plan.Fat64 ? 32 : 20);
        plan.Offsets = new long[n];
        for (var i = 0; i < n; i++)
        {
            var align = 1L << (int)plan.Slices[i].Align;
            plan.Offsets[i] = (pos + align - 1) & ~(align - 1);
            pos = plan.Offsets[i] + plan.Slices[i].NewLength;
        }
        if (!plan.Fat64 && pos > uint.MaxValue)
            throw src.Error($"the signed universal file would be {pos} bytes, too large for its 32-bit fat header");
        return plan;
    }

    private static SlicePlan PlanImage(ByteSource src, MachOImage img, long sourceOffset, long length, byte[] ident)
    {
        var where = sourceOffset == 0 ? "" : $" ({img.ArchitectureName} slice)";
        if (!img.Is64 || img.IsBigEndian)
            throw src.Error($"cannot sign a {(img.Is64 ? "64" : "32")}-bit {(img.IsBigEndian ? "big" : "little")}-endian {img.ArchitectureName} image{where}: only 64-bit little-endian Mach-O is supported", sourceOffset);
        if (img.FileType is not (MachOFileType.Execute or MachOFileType.Dylib or MachOFileType.Bundle))
            throw src.Error($"cannot sign a Mach-O of file type {img.FileType}{where}: only executables, dylibs and bundles", sourceOffset + 12);
        var text = img.Segments.FirstOrDefault(s => s.Name == "__TEXT")
            ?? throw src.Error($"no __TEXT segment{where}", sourceOffset);
        var linkedit = img.Segments.FirstOrDefault(s => s.Name == "__LINKEDIT")
            ?? throw src.Error($"no __LINKEDIT segment{where}: the code signature must go at its end", sourceOffset);
        var linkeditEnd = linkedit.FileOffset + linkedit.FileSize;
        foreach (var seg in img.Segments)
        {
            if (ReferenceEquals(seg, linkedit) || seg.FileSize == 0)
                continue;
            if (seg.FileOffset + seg.FileSize > linkedit.FileOffset)
                throw src.Error($"__LINKEDIT is not the last segment{where}: {seg.Name} ends at 0x{seg.FileOffset + seg.FileSize:x}, after __LINKEDIT starts (0x{linkedit.FileOffset:x})", sourceOffset + seg.CommandOffset);
        }
        if (linkeditEnd != (ulong)length)
            throw src.Error($"__LINKEDIT ends at 0x{linkeditEnd:x} but the image is {length} bytes{where}: the signature must go at the end of the file", sourceOffset + linkedit.CommandOffset);

        long contentEnd;
        var addCommand = img.CodeSignature is null;
        if (img.CodeSignature is { } cs)
        {
            if (cs.DataOffset < linkedit.FileOffset || (ulong)cs.DataOffset + cs.DataSize > linkeditEnd)
                throw src.Error($"the existing code signature (0x{cs.DataSize:x} bytes at 0x{cs.DataOffset:x}) is not inside __LINKEDIT (0x{linkedit.FileOffset:x}..0x{linkeditEnd:x}){where}", sourceOffset + cs.CommandOffset);
            contentEnd = cs.DataOffset;
        }
        else
            contentEnd = (long)linkeditEnd;

        var cmdsEnd = img.HeaderSize + (long)img.LoadCommandsSize;
        var headerLength = cmdsEnd + (addCommand ? 16 : 0);
        if (addCommand)
        {
            var room = (img.FirstContentOffset ?? contentEnd) - cmdsEnd;
            if (room < 16)
                throw src.Error($"no room in the Mach-O header for a code signature; relink with -headerpad_max_install_names{where}", sourceOffset + cmdsEnd);
            var pad = src.ReadBytes(cmdsEnd, 16, "header padding");
            if (pad.AsSpan().ContainsAnyExcept((byte)0))
                throw src.Error($"no room in the Mach-O header for a code signature; relink with -headerpad_max_install_names (the bytes after the load commands are not padding){where}", sourceOffset + cmdsEnd);
        }

        var sigOffset = (contentEnd + 15) & ~15L;
        if (sigOffset > uint.MaxValue)
            throw src.Error($"the image is {sigOffset} bytes; signing images of 4 GiB or more is not supported{where}", sourceOffset);
        var blobSize = SuperBlobSize(ident.Length, PageCount(sigOffset));
        var sigSize = (uint)((blobSize + 15) & ~15L);

        var header = src.ReadBytes(0, (int)headerLength, "load commands");
        var h = header.AsSpan();
        if (addCommand)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(h[16..], img.LoadCommandCount + 1);
            BinaryPrimitives.WriteUInt32LittleEndian(h[20..], img.LoadCommandsSize + 16);
            var lc = h[(int)cmdsEnd..];
            BinaryPrimitives.WriteUInt32LittleEndian(lc, MachOFile.LC_CODE_SIGNATURE);
            BinaryPrimitives.WriteUInt32LittleEndian(lc[4..], 16);
            BinaryPrimitives.WriteUInt32LittleEndian(lc[8..], (uint)sigOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(lc[12..], sigSize);
        }
        else
        {
            var lc = h[(int)img.CodeSignature!.Value.CommandOffset..];
            BinaryPrimitives.WriteUInt32LittleEndian(lc[8..], (uint)sigOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(lc[12..], sigSize);
        }
        var segPage = img.CpuType == MachOFile.CpuTypeArm64 ? 0x4000UL : 0x1000UL;
        var newFileSize = (ulong)sigOffset + sigSize - linkedit.FileOffset;
        var newVmSize = Math.Max(linkedit.VmSize, (newFileSize + segPage - 1) & ~(segPage - 1));
        var le = h[(int)linkedit.CommandOffset..];
        BinaryPrimitives.WriteUInt64LittleEndian(le[32..], newVmSize);
        BinaryPrimitives.WriteUInt64LittleEndian(le[48..], newFileSize);

        return new SlicePlan
        {
            SourceOffset = sourceOffset,
            Header = header,
            CopyLimit = contentEnd,
            SignatureOffset = sigOffset,
            SignatureSize = sigSize,
            Identifier = ident,
            ExecSegBase = text.FileOffset,
            ExecSegLimit = text.FileSize,
            ExecSegFlags = img.FileType == MachOFileType.Execute ? CS_EXECSEG_MAIN_BINARY : 0,
        };
    }

    private static int PageCount(long codeLimit) => (int)((codeLimit + CodePageSize - 1) / CodePageSize);

    private static int CodeDirectorySize(int identLength, int pages) =>
        CodeDirectoryHeaderSize + identLength + (SpecialSlots + pages) * HashSize;

    // SuperBlob header + 3 index entries, CodeDirectory, Requirements (12), CMS wrapper (8).
    private static long SuperBlobSize(int identLength, int pages) => 12 + 3 * 8 + (long)CodeDirectorySize(identLength, pages) + 12 + 8;

    private static void Write(Stream input, FilePlan plan, Stream output)
    {
        if (!plan.IsFat)
        {
            WriteImage(input, plan.Slices[0], output);
            return;
        }
        var n = plan.Slices.Count;
        var entry = plan.Fat64 ? 32 : 20;
        var offsets = plan.Offsets;
        var header = new byte[8 + n * entry];
        BinaryPrimitives.WriteUInt32BigEndian(header, plan.Fat64 ? MachOFile.FAT_MAGIC_64 : MachOFile.FAT_MAGIC);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)n);
        for (var i = 0; i < n; i++)
        {
            var s = plan.Slices[i];
            var e = header.AsSpan(8 + i * entry);
            BinaryPrimitives.WriteInt32BigEndian(e, s.CpuType);
            BinaryPrimitives.WriteInt32BigEndian(e[4..], s.CpuSubtype);
            if (plan.Fat64)
            {
                BinaryPrimitives.WriteUInt64BigEndian(e[8..], (ulong)offsets[i]);
                BinaryPrimitives.WriteUInt64BigEndian(e[16..], (ulong)s.NewLength);
                BinaryPrimitives.WriteUInt32BigEndian(e[24..], s.Align);
                // e[28..32] reserved: zero
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(e[8..], (uint)offsets[i]);
                BinaryPrimitives.WriteUInt32BigEndian(e[12..], (uint)s.NewLength);
                BinaryPrimitives.WriteUInt32BigEndian(e[16..], s.Align);
            }
        }
        output.Write(header);
        long written = header.Length;
        for (var i = 0; i < n; i++)
        {
            WriteZeros(output, offsets[i] - written);
            WriteImage(input, plan.Slices[i], output);
            written = offsets[i] + plan.Slices[i].NewLength;
        }
    }

    private static void WriteZeros(Stream output, long count)
    {
        Span<byte> zeros = stackalloc byte[4096];
        zeros.Clear();
        while (count > 0)
        {
            var k = (int)Math.Min(count, zeros.Length);
            output.Write(zeros[..k]);
            count -= k;
        }
    }

    /// <summary>Streams one image: its pages with the header edits, hashing each, then the signature.</summary>
    private static void WriteImage(Stream input, SlicePlan p, Stream output)
    {
        var pages = PageCount(p.SignatureOffset);
        var hashes = new byte[pages * HashSize];
        var page = new byte[CodePageSize];
        for (var i = 0; i < pages; i++)
        {
            long at = (long)i * CodePageSize;
            var n = (int)Math.Min(CodePageSize, p.SignatureOffset - at);
            var fromInput = (int)Math.Clamp(p.CopyLimit - at, 0, n);
            if (fromInput > 0)
            {
                input.Position = p.SourceOffset + at;
                input.ReadExactly(page, 0, fromInput);
            }
            Array.Clear(page, fromInput, n - fromInput);
            if (at < p.Header.Length)
            {
                var k = (int)Math.Min(p.Header.Length - at, n);
                p.Header.AsSpan((int)at, k).CopyTo(page);
            }
            SHA256.HashData(page.AsSpan(0, n), hashes.AsSpan(i * HashSize, HashSize));
            output.Write(page, 0, n);
        }
        output.Write(BuildSignature(p, hashes, pages));
    }

    private static byte[] BuildSignature(SlicePlan p, byte[] hashes, int pages)
    {
        var blob = new byte[p.SignatureSize];
        var b = blob.AsSpan();
        var cdSize = CodeDirectorySize(p.Identifier.Length, pages);
        const int cdOffset = 12 + 3 * 8;
        var reqOffset = cdOffset + cdSize;
        var cmsOffset = reqOffset + 12;
        var total = cmsOffset + 8;

        // SuperBlob (CS_SuperBlob): magic, length, count, then CS_BlobIndex {type, offset} entries.
        W(b, 0, CSMAGIC_EMBEDDED_SIGNATURE);
        W(b, 4, (uint)total);
        W(b, 8, 3);
        W(b, 12, CSSLOT_CODEDIRECTORY); W(b, 16, cdOffset);
        W(b, 20, CSSLOT_REQUIREMENTS); W(b, 24, (uint)reqOffset);
        W(b, 28, CSSLOT_SIGNATURESLOT); W(b, 32, (uint)cmsOffset);

        // Requirements (CS_SuperBlob of requirements with count 0) and the empty CMS wrapper (CS_GenericBlob).
        var req = b.Slice(reqOffset, 12);
        W(req, 0, CSMAGIC_REQUIREMENTS); W(req, 4, 12); W(req, 8, 0);
        W(b, cmsOffset, CSMAGIC_BLOBWRAPPER); W(b, cmsOffset + 4, 8);

        // CodeDirectory (CS_CodeDirectory, version 0x20400).
        var cd = b.Slice(cdOffset, cdSize);
        var identOffset = CodeDirectoryHeaderSize;
        var hashOffset = identOffset + p.Identifier.Length + SpecialSlots * HashSize;
        W(cd, 0, CSMAGIC_CODEDIRECTORY);
        W(cd, 4, (uint)cdSize);
        W(cd, 8, 0x20400);                     // version
        W(cd, 12, CS_ADHOC);                   // flags
        W(cd, 16, (uint)hashOffset);
        W(cd, 20, (uint)identOffset);
        W(cd, 24, SpecialSlots);               // nSpecialSlots
        W(cd, 28, (uint)pages);                // nCodeSlots
        W(cd, 32, (uint)p.SignatureOffset);    // codeLimit
        cd[36] = HashSize;                     // hashSize
        cd[37] = CS_HASHTYPE_SHA256;           // hashType
        cd[38] = 0;                            // platform
        cd[39] = 12;                           // pageSize = log2(4096)
        // 40 spare2, 44 scatterOffset, 48 teamOffset, 52 spare3, 56 codeLimit64: zero
        BinaryPrimitives.WriteUInt64BigEndian(cd[64..], p.ExecSegBase);
        BinaryPrimitives.WriteUInt64BigEndian(cd[72..], p.ExecSegLimit);
        BinaryPrimitives.WriteUInt64BigEndian(cd[80..], p.ExecSegFlags);
        p.Identifier.CopyTo(cd[identOffset..]);
        // Special slot -2 (requirements) then -1 (Info.plist, zero): slot -k sits k hashes before hashOffset.
        SHA256.HashData(req, cd.Slice(hashOffset - (int)CSSLOT_REQUIREMENTS * HashSize, HashSize));
        hashes.CopyTo(cd[hashOffset..]);
        return blob;

        static void W(Span<byte> s, int at, uint v) => BinaryPrimitives.WriteUInt32BigEndian(s[at..], v);
    }

    // ---------------------------------------------------------------- verifying

    private static MachOSignatureInfo VerifyImage(Stream stream, string fileName, MachOImage img, long length)
    {
        var arch = img.ArchitectureName;
        MachOSignatureInfo Result(bool signed, string? ident, uint flags, string? problem, int? page = null, long limit = 0) =>
            new(fileName, arch, signed, ident, flags, problem is null, problem, page, limit, []);

        if (img.CodeSignature is not { } cs)
            return Result(false, null, 0, "not signed: no LC_CODE_SIGNATURE load command");
        if ((ulong)cs.DataOffset + cs.DataSize > (ulong)length || cs.DataSize < 12)
            return Result(false, null, 0, $"LC_CODE_SIGNATURE (0x{cs.DataSize:x} bytes at 0x{cs.DataOffset:x}) is outside the {length} byte image");
        var blob = new byte[cs.DataSize];
        stream.Position = img.Offset + cs.DataOffset;
        stream.ReadExactly(blob);
        var sb = blob.AsSpan();
        if (R(sb, 0) != CSMAGIC_EMBEDDED_SIGNATURE)
            return Result(false, null, 0, $"the signature does not start with the SuperBlob magic 0xfade0cc0 (found 0x{R(sb, 0):x8})");
        var sbLength = R(sb, 4);
        var count = R(sb, 8);
        if (sbLength > blob.Length || sbLength < 12 || count > (sbLength - 12) / 8)
            return Result(false, null, 0, $"the SuperBlob's length {sbLength} or count {count} does not fit its {blob.Length} bytes");
        var blobs = new Dictionary<uint, (int Offset, int Length)>();
        for (var i = 0; i < count; i++)
        {
            var type = R(sb, 12 + 8 * i);
            var off = R(sb, 16 + 8 * i);
            if (off > sbLength - 8 || R(sb, (int)off + 4) > sbLength - off || R(sb, (int)off + 4) < 8)
                return Result(false, null, 0, $"blob {i} (slot 0x{type:x}) at offset {off} runs past the SuperBlob's {sbLength} bytes");
            blobs.TryAdd(type, ((int)off, (int)R(sb, (int)off + 4)));
        }
        var cdSlots = blobs.Keys.Where(k => k == CSSLOT_CODEDIRECTORY || k is >= CSSLOT_ALTERNATE_CODEDIRECTORIES and < CSSLOT_ALTERNATE_CODEDIRECTORIES + 5).Order().ToList();
        if (cdSlots.Count == 0)
            return Result(false, null, 0, "the SuperBlob holds no CodeDirectory");

        string? identifier = null;
        uint flags = 0;
        long codeLimit = 0;
        foreach (var slot in cdSlots)
        {
            var (off, len) = blobs[slot];
            var cd = sb.Slice(off, len);
            var label = slot == 0 ? "CodeDirectory" : $"alternate CodeDirectory (slot 0x{slot:x})";
            if (len < 44 || R(cd, 0) != CSMAGIC_CODEDIRECTORY)
                return Result(true, identifier, flags, $"the {label} is {len} bytes or has a bad magic 0x{R(cd, 0):x8}");
            var version = R(cd, 8);
            var cdFlags = R(cd, 12);
            var hashOffset = R(cd, 16);
            var identOffset = R(cd, 20);
            var nSpecial = R(cd, 24);
            var nCode = R(cd, 28);
            long limit = R(cd, 32);
            var hashSize = cd[36];
            var hashType = cd[37];
            var pageShift = cd[39];
            if (version >= 0x20300 && len >= 64 && BinaryPrimitives.ReadUInt64BigEndian(cd[56..]) is var l64 and > 0)
                limit = (long)l64;
            string? id = null;
            if (identOffset < len && cd[(int)identOffset..].IndexOf((byte)0) is var nul and >= 0)
                id = Encoding.UTF8.GetString(cd.Slice((int)identOffset, nul));
            if (slot == cdSlots[0])
            {
                identifier = id;
                flags = cdFlags;
                codeLimit = limit;
            }
            if (id is null)
                return Result(true, identifier, flags, $"the {label}'s identifier (offset {identOffset}) is not a NUL-terminated string inside it", limit: codeLimit);
            Func<ReadOnlySpan<byte>, byte[]>? hasher = hashType switch
            {
                CS_HASHTYPE_SHA1 => d => SHA1.HashData(d),
                CS_HASHTYPE_SHA256 or CS_HASHTYPE_SHA256_TRUNCATED => d => SHA256.HashData(d),
                CS_HASHTYPE_SHA384 => d => SHA384.HashData(d),
                _ => null,
            };
            if (hasher is null)
                return Result(true, identifier, flags, $"the {label} uses hash type {hashType}, which is not supported", limit: codeLimit);
            if (hashSize == 0 || hashSize > hasher([]).Length)
                return Result(true, identifier, flags, $"the {label}'s hash size {hashSize} does not fit hash type {hashType}", limit: codeLimit);
            if ((long)hashOffset + (long)nCode * hashSize > len || (long)nSpecial * hashSize > hashOffset)
                return Result(true, identifier, flags, $"the {label}'s {nSpecial} special and {nCode} code hashes (at offset {hashOffset}) do not fit its {len} bytes", limit: codeLimit);
            if (limit > length)
                return Result(true, identifier, flags, $"the {label}'s code limit 0x{limit:x} is past the end of the {length} byte image", limit: codeLimit);
            if (limit > cs.DataOffset)
                return Result(true, identifier, flags, $"the {label}'s code limit 0x{limit:x} covers the signature itself (at 0x{cs.DataOffset:x})", limit: codeLimit);
            var pageSize = pageShift == 0 ? Math.Max(limit, 1) : 1L << Math.Min((int)pageShift, 30);
            var expectedPages = limit == 0 ? 0 : (limit + pageSize - 1) / pageSize;
            if (nCode != expectedPages)
                return Result(true, identifier, flags, $"the {label} has {nCode} page hashes but its code limit 0x{limit:x} makes {expectedPages} pages of {pageSize} bytes", limit: codeLimit);

            // Special slots: slot k's hash is k hashes before hashOffset; a zero hash means "absent".
            for (var k = 1u; k <= nSpecial; k++)
            {
                var expected = cd.Slice((int)(hashOffset - k * hashSize), hashSize);
                var present = blobs.TryGetValue(k, out var sp);
                var zero = !expected.ContainsAnyExcept((byte)0);
                if (!present)
                {
                    if (!zero && k is not (1 or 3))   // Info.plist and resources live outside the binary
                        return Result(true, identifier, flags, $"special slot {k} of the {label} has a hash but the SuperBlob has no blob for it", limit: codeLimit);
                    continue;
                }
                if (!hasher(sb.Slice(sp.Offset, sp.Length)).AsSpan(0, hashSize).SequenceEqual(expected))
                    return Result(true, identifier, flags, $"special slot {k} ({SlotName(k)}) of the {label} does not match the embedded blob's hash", limit: codeLimit);
            }
            var unhashed = blobs.Keys.Where(k => k is >= 2 and < CSSLOT_ALTERNATE_CODEDIRECTORIES && k > nSpecial).Order().FirstOrDefault();
            if (unhashed != 0)
                return Result(true, identifier, flags, $"the SuperBlob holds a {SlotName(unhashed)} blob (slot {unhashed}) that the {label} does not hash", limit: codeLimit);

            // Code pages.
            var buffer = new byte[(int)Math.Min(pageSize, limit == 0 ? 1 : limit)];
            for (var i = 0; i < nCode; i++)
            {
                var at = i * pageSize;
                var n = (int)Math.Min(pageSize, limit - at);
                stream.Position = img.Offset + at;
                stream.ReadExactly(buffer, 0, n);
                var expected = cd.Slice((int)hashOffset + i * hashSize, hashSize);
                if (!hasher(buffer.AsSpan(0, n)).AsSpan(0, hashSize).SequenceEqual(expected))
                    return Result(true, identifier, flags, $"page {i} (bytes 0x{at:x}..0x{at + n:x}) does not match its hash in the {label}", i, codeLimit);
            }
        }
        return Result(true, identifier, flags, null, limit: codeLimit);

        static uint R(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32BigEndian(s[at..]);
    }

    private static string SlotName(uint slot) => slot switch
    {
        1 => "Info.plist",
        2 => "requirements",
        3 => "resource directory",
        4 => "application",
        5 => "entitlements",
        6 => "rep-specific",
        7 => "DER entitlements",
        _ => "slot " + slot,
    };
}

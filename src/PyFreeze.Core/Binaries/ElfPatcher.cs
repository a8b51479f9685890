using System.Text;

namespace PyFreeze.Binaries;

/// <summary>What an <see cref="ElfPatcher"/> operation did.</summary>
/// <param name="Succeeded">True when the file is now in the requested state (also when nothing had to change).</param>
/// <param name="Changed">True when bytes were written.</param>
/// <param name="Message">One line saying what was done or why it could not be, e.g.
/// <c>new RUNPATH (40 bytes) does not fit in the 33 bytes of the old one</c>.</param>
public sealed record ElfPatchResult(bool Succeeded, bool Changed, string Message);

/// <summary>
/// Rewrites the library search path of an ELF file in place, without moving anything: the dynamic array keeps
/// its size and the string table its bytes, so the patch is always safe to apply to a linked binary.
/// Works on a copy the caller provides (a path, or a readable, writable, seekable stream).
/// </summary>
/// <remarks>
/// Rules (System V gABI "Dynamic Section"; ld.so(8) search order):
/// <list type="bullet">
/// <item><see cref="ConvertRPathToRunPath(Stream,string)"/> retags <c>DT_RPATH</c> as <c>DT_RUNPATH</c>, so
/// <c>LD_LIBRARY_PATH</c> is searched before it and it is no longer inherited by the objects this one loads.</item>
/// <item><see cref="ReplaceSearchPath(Stream,string,string)"/> overwrites the string of the <c>DT_RUNPATH</c> and/or
/// <c>DT_RPATH</c> entry, padding with NULs; it refuses when the new string is longer, or when another reference
/// (a DT_NEEDED, a version name, a dynamic symbol name) shares the old string's bytes (linkers merge string
/// suffixes in <c>.dynstr</c>).</item>
/// <item><see cref="RemoveSearchPath(Stream,string)"/> deletes the <c>DT_RPATH</c>/<c>DT_RUNPATH</c> entries by shifting
/// the later entries down and filling the freed slots with <c>DT_NULL</c> (as patchelf does); a DT_NULL in the middle
/// would end the array early, so the entry is never just zeroed.</item>
/// </list>
/// Adding a search path to a file that has none (or a longer one) needs new string space and is not done here.
/// </remarks>
public static class ElfPatcher
{
    /// <summary>Retags <c>DT_RPATH</c> as <c>DT_RUNPATH</c> in the file at <paramref name="path"/>.</summary>
    /// <param name="path">A writable copy of the binary.</param>
    /// <returns>Succeeded when the file now has no DT_RPATH (Changed is false when it had none).</returns>
    /// <exception cref="BinaryFormatException">The file is not a valid ELF file.</exception>
    public static ElfPatchResult ConvertRPathToRunPath(string path) => WithFile(path, s => ConvertRPathToRunPath(s, path));

    /// <summary>Retags <c>DT_RPATH</c> as <c>DT_RUNPATH</c> in <paramref name="stream"/>. When the file has both
    /// tags (ld.so already ignores the RPATH) the RPATH entry is removed instead, leaving one RUNPATH.</summary>
    /// <param name="stream">Readable, writable, seekable bytes of the ELF file.</param>
    /// <param name="fileName">Name for messages.</param>
    /// <exception cref="BinaryFormatException">Not a valid ELF file.</exception>
    public static ElfPatchResult ConvertRPathToRunPath(Stream stream, string fileName)
    {
        var (elf, layout) = Load(stream, fileName);
        if (layout is null)
            return new(true, false, $"{fileName}: no dynamic section; nothing to convert");
        var rpaths = layout.Entries.Where(e => e.Tag == ElfFile.DT_RPATH).ToList();
        if (rpaths.Count == 0)
            return new(true, false, $"{fileName}: no DT_RPATH; nothing to convert");
        if (elf.RunPathString is not null)
        {
            RewriteEntries(stream, layout, layout.Entries.Where(e => e.Tag != ElfFile.DT_RPATH).ToList());
            return new(true, true, $"{fileName}: removed DT_RPATH, which the existing DT_RUNPATH already overrides");
        }
        foreach (var e in rpaths)
            WriteTag(stream, layout, e.FileOffset, ElfFile.DT_RUNPATH);
        stream.Flush();
        return new(true, true, $"{fileName}: DT_RPATH '{elf.RPathString}' is now DT_RUNPATH");
    }

    /// <summary>Replaces the search path string in the file at <paramref name="path"/>.</summary>
    /// <param name="path">A writable copy of the binary.</param>
    /// <param name="newValue">The new ':'-separated path, e.g. <c>$ORIGIN/../lib</c>.</param>
    /// <exception cref="BinaryFormatException">Not a valid ELF file.</exception>
    public static ElfPatchResult ReplaceSearchPath(string path, string newValue) =>
        WithFile(path, s => ReplaceSearchPath(s, path, newValue));

    /// <summary>Replaces the string of the <c>DT_RUNPATH</c> and <c>DT_RPATH</c> entries (whichever exist; tags are
    /// kept) with <paramref name="newValue"/>, in place, padding the rest of the old bytes with NULs.</summary>
    /// <param name="stream">Readable, writable, seekable bytes of the ELF file.</param>
    /// <param name="fileName">Name for messages.</param>
    /// <param name="newValue">The new path (UTF-8, no NUL).</param>
    /// <returns>Not succeeded (nothing written) when there is no entry, the new string is longer than the old one,
    /// or the old string's bytes are shared with another string.</returns>
    /// <exception cref="ArgumentException"><paramref name="newValue"/> contains a NUL.</exception>
    /// <exception cref="BinaryFormatException">Not a valid ELF file.</exception>
    public static ElfPatchResult ReplaceSearchPath(Stream stream, string fileName, string newValue)
    {
        ArgumentNullException.ThrowIfNull(newValue);
        if (newValue.Contains('\0'))
            throw new ArgumentException("a search path cannot contain NUL", nameof(newValue));
        var (_, layout) = Load(stream, fileName);
        if (layout is null)
            return new(false, false, $"{fileName}: no dynamic section, so no search path to replace");
        var targets = layout.Entries.Where(e => e.Tag is ElfFile.DT_RPATH or ElfFile.DT_RUNPATH).ToList();
        if (targets.Count == 0)
            return new(false, false, $"{fileName}: has no DT_RPATH or DT_RUNPATH; adding one needs new string space, which is not supported");
        var bytes = Encoding.UTF8.GetBytes(newValue);
        using var src = new ByteSource(stream, fileName);
        var starts = targets.Select(t => t.Value).ToHashSet();
        var others = OtherStringReferences(src, layout, starts);
        var writes = new List<(long Offset, byte[] Bytes)>();
        foreach (var start in starts)
        {
            var off = layout.StrTabOffset + (long)start;
            var end = layout.StrTabOffset + (long)layout.StrTabSize;
            var old = src.ReadCString(off, end, "search path string");
            var oldLen = Encoding.UTF8.GetByteCount(old);
            if (bytes.Length > oldLen)
                return new(false, false, $"{fileName}: new search path ({bytes.Length} bytes) does not fit in the {oldLen} bytes of '{old}'");
            var runStart = (long)start;
            while (runStart > 0 && src.U8(layout.StrTabOffset + runStart - 1, "string table") != 0)
                runStart--;
            var runEnd = (long)start + oldLen;
            if (others is null)
                return new(false, false, $"{fileName}: cannot count the dynamic symbols (no .dynsym section, DT_HASH or DT_GNU_HASH) to check that '{old}' is not shared");
            var shared = others.FirstOrDefault(o => (long)o >= runStart && (long)o <= runEnd);
            if (others.Any(o => (long)o >= runStart && (long)o <= runEnd))
                return new(false, false, $"{fileName}: the bytes of '{old}' are shared with another string (offset {shared}) in the string table; replacing them would change it too");
            var buf = new byte[oldLen];
            bytes.CopyTo(buf, 0);
            writes.Add((off, buf));
        }
        foreach (var (offset, buf) in writes)
        {
            stream.Position = offset;
            stream.Write(buf);
        }
        stream.Flush();
        return new(true, true, $"{fileName}: search path is now '{newValue}'");
    }

    /// <summary>Removes the search path from the file at <paramref name="path"/>.</summary>
    /// <param name="path">A writable copy of the binary.</param>
    /// <exception cref="BinaryFormatException">Not a valid ELF file.</exception>
    public static ElfPatchResult RemoveSearchPath(string path) => WithFile(path, s => RemoveSearchPath(s, path));

    /// <summary>Removes the <c>DT_RPATH</c> and <c>DT_RUNPATH</c> entries from the dynamic array.</summary>
    /// <param name="stream">Readable, writable, seekable bytes of the ELF file.</param>
    /// <param name="fileName">Name for messages.</param>
    /// <returns>Succeeded (Changed false) also when there was nothing to remove.</returns>
    /// <exception cref="BinaryFormatException">Not a valid ELF file.</exception>
    public static ElfPatchResult RemoveSearchPath(Stream stream, string fileName)
    {
        var (_, layout) = Load(stream, fileName);
        if (layout is null)
            return new(true, false, $"{fileName}: no dynamic section; nothing to remove");
        var keep = layout.Entries.Where(e => e.Tag is not (ElfFile.DT_RPATH or ElfFile.DT_RUNPATH)).ToList();
        if (keep.Count == layout.Entries.Count)
            return new(true, false, $"{fileName}: no DT_RPATH or DT_RUNPATH; nothing to remove");
        RewriteEntries(stream, layout, keep);
        return new(true, true, $"{fileName}: removed {layout.Entries.Count - keep.Count} search path entr{(layout.Entries.Count - keep.Count == 1 ? "y" : "ies")}");
    }

    private static ElfPatchResult WithFile(string path, Func<Stream, ElfPatchResult> action)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        return action(fs);
    }

    private static (ElfFile Elf, ElfFile.DynamicLayout? Layout) Load(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanWrite || !stream.CanRead)
            throw new ArgumentException("the stream must be readable, writable and seekable", nameof(stream));
        using var src = new ByteSource(stream, fileName);
        var elf = ElfFile.Read(src);
        return (elf, elf.Layout);
    }

    private static void WriteTag(Stream stream, ElfFile.DynamicLayout layout, long at, long tag)
    {
        Span<byte> b = stackalloc byte[8];
        var n = layout.Is64 ? 8 : 4;
        if (layout.Is64) Endian.W64(b, 0, (ulong)tag, layout.Big); else Endian.W32(b, 0, (uint)tag, layout.Big);
        stream.Position = at;
        stream.Write(b[..n]);
    }

    /// <summary>Writes <paramref name="keep"/> from slot 0 and DT_NULL into the freed slots up to the old DT_NULL.</summary>
    private static void RewriteEntries(Stream stream, ElfFile.DynamicLayout layout, List<ElfFile.DynEntry> keep)
    {
        var used = Math.Min(layout.Entries.Count + 1, layout.SlotCount);
        var buf = new byte[used * layout.EntrySize];
        for (var i = 0; i < keep.Count; i++)
        {
            var at = i * layout.EntrySize;
            if (layout.Is64)
            {
                Endian.W64(buf, at, (ulong)keep[i].Tag, layout.Big);
                Endian.W64(buf, at + 8, keep[i].Value, layout.Big);
            }
            else
            {
                Endian.W32(buf, at, (uint)keep[i].Tag, layout.Big);
                Endian.W32(buf, at + 4, (uint)keep[i].Value, layout.Big);
            }
        }
        stream.Position = layout.DynamicOffset;
        stream.Write(buf);
        stream.Flush();
    }

    private static readonly HashSet<long> StringTags =
    [
        ElfFile.DT_NEEDED, ElfFile.DT_SONAME, ElfFile.DT_RPATH, ElfFile.DT_RUNPATH, ElfFile.DT_AUXILIARY,
        ElfFile.DT_FILTER, ElfFile.DT_CONFIG, ElfFile.DT_DEPAUDIT, ElfFile.DT_AUDIT,
    ];

    /// <summary>String table offsets referenced by anything other than the entries being replaced; null when the
    /// dynamic symbol count cannot be found.</summary>
    private static List<ulong>? OtherStringReferences(ByteSource src, ElfFile.DynamicLayout layout, HashSet<ulong> starts)
    {
        var big = layout.Big;
        var refs = new List<ulong>();
        foreach (var e in layout.Entries)
            if (StringTags.Contains(e.Tag) && !(e.Tag is ElfFile.DT_RPATH or ElfFile.DT_RUNPATH && starts.Contains(e.Value)))
                refs.Add(e.Value);

        ulong Dyn(long tag) => layout.Entries.FirstOrDefault(e => e.Tag == tag).Value;

        // Version needs and definitions name strings too.
        var verneed = Dyn(ElfFile.DT_VERNEED);
        if (verneed != 0)
        {
            var at = ElfFile.MapAddress(src, layout.Loads, verneed, "DT_VERNEED");
            for (var i = 0; i < 65536; i++)
            {
                var cnt = src.U16(at + 2, big, "Elf_Verneed");
                refs.Add(src.U32(at + 4, big, "Elf_Verneed"));
                var a = at + src.U32(at + 8, big, "Elf_Verneed");
                for (var j = 0; j < cnt; j++)
                {
                    refs.Add(src.U32(a + 8, big, "Elf_Vernaux"));
                    var vn = src.U32(a + 12, big, "Elf_Vernaux");
                    if (vn == 0) break;
                    a += vn;
                }
                var next = src.U32(at + 12, big, "Elf_Verneed");
                if (next == 0) break;
                at += next;
            }
        }
        var verdef = Dyn(ElfFile.DT_VERDEF);
        if (verdef != 0)
        {
            var at = ElfFile.MapAddress(src, layout.Loads, verdef, "DT_VERDEF");
            for (var i = 0; i < 65536; i++)
            {
                var cnt = src.U16(at + 6, big, "Elf_Verdef");
                var a = at + src.U32(at + 12, big, "Elf_Verdef");
                for (var j = 0; j < cnt; j++)
                {
                    refs.Add(src.U32(a, big, "Elf_Verdaux"));
                    var vn = src.U32(a + 4, big, "Elf_Verdaux");
                    if (vn == 0) break;
                    a += vn;
                }
                var next = src.U32(at + 16, big, "Elf_Verdef");
                if (next == 0) break;
                at += next;
            }
        }

        // Dynamic symbol names.
        var symtab = Dyn(ElfFile.DT_SYMTAB);
        if (symtab == 0)
            return refs;
        var count = CountDynamicSymbols(src, layout);
        if (count is null)
            return null;
        var symOff = ElfFile.MapAddress(src, layout.Loads, symtab, "DT_SYMTAB");
        var symSize = layout.Is64 ? 24 : 16;
        src.Check(symOff, (long)count.Value * symSize, "dynamic symbol table");
        for (var i = 0L; i < count.Value; i++)
            refs.Add(src.U32(symOff + i * symSize, big, "dynamic symbol"));
        return refs;
    }

    private const long DT_GNU_HASH = 0x6ffffef5;

    /// <summary>Number of dynamic symbols: from the .dynsym section header, else DT_HASH's nchain, else by walking
    /// DT_GNU_HASH to its highest symbol index.</summary>
    private static long? CountDynamicSymbols(ByteSource src, ElfFile.DynamicLayout layout)
    {
        var big = layout.Big;
        var h = layout.Header;
        var shSize = layout.Is64 ? 64 : 40;
        if (h.ShOff != 0 && h.ShNum > 0 && h.ShEntSize >= shSize && src.Contains((long)h.ShOff, (long)h.ShNum * h.ShEntSize))
        {
            for (var i = 0u; i < h.ShNum; i++)
            {
                var at = (long)h.ShOff + i * h.ShEntSize;
                if (src.U32(at + 4, big, "section header") != 11) // SHT_DYNSYM
                    continue;
                var size = layout.Is64 ? (long)src.U64(at + 32, big, "section header") : src.U32(at + 20, big, "section header");
                var ent = layout.Is64 ? (long)src.U64(at + 56, big, "section header") : src.U32(at + 36, big, "section header");
                if (ent > 0)
                    return size / ent;
            }
        }
        var hash = layout.Entries.FirstOrDefault(e => e.Tag == ElfFile.DT_HASH).Value;
        if (hash != 0)
            return src.U32(ElfFile.MapAddress(src, layout.Loads, hash, "DT_HASH") + 4, big, "DT_HASH nchain");
        var gnu = layout.Entries.FirstOrDefault(e => e.Tag == DT_GNU_HASH).Value;
        if (gnu == 0)
            return null;
        var g = ElfFile.MapAddress(src, layout.Loads, gnu, "DT_GNU_HASH");
        var nbuckets = src.U32(g, big, "DT_GNU_HASH");
        var symoffset = src.U32(g + 4, big, "DT_GNU_HASH");
        var bloomSize = src.U32(g + 8, big, "DT_GNU_HASH");
        var buckets = g + 16 + (long)bloomSize * (layout.Is64 ? 8 : 4);
        src.Check(buckets, (long)nbuckets * 4, "DT_GNU_HASH buckets");
        uint max = 0;
        for (var i = 0L; i < nbuckets; i++)
            max = Math.Max(max, src.U32(buckets + i * 4, big, "DT_GNU_HASH bucket"));
        if (max < symoffset)
            return symoffset;
        var chain = buckets + (long)nbuckets * 4;
        for (long idx = max; ; idx++)
        {
            if (idx - symoffset > 1 << 24)
                throw src.Error("DT_GNU_HASH chain has no end marker");
            if ((src.U32(chain + (idx - symoffset) * 4, big, "DT_GNU_HASH chain") & 1) != 0)
                return idx + 1;
        }
    }
}

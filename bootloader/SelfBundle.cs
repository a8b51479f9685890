using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PyFreeze.Payload;

namespace PyFreeze.Bootloader;

/// <summary>
/// The NativeAOT bootloader's own bundle (<see cref="BundleManifest"/>): the executable carries the 40-byte bundle-header
/// slot that Microsoft.NET.HostModel's <c>Bundler</c> patches (<c>HostWriter.SetAsBundle</c> finds the 8 zero bytes and
/// the signature in the file and writes the header's offset over the zeros), so at run time the bootloader reads the
/// offset from its own memory, with no I/O; the header and its manifest lie at the end of the file and name the
/// launch settings (<see cref="PayloadLayout.SettingsEntry"/>) and the payload (<see cref="PayloadLayout.PayloadEntry"/>).
/// In the single-file .NET host's bootloader this copy of the slot is never patched (the host's own comes first in the
/// file), so <see cref="HeaderOffset"/> is 0 there and the settings come from the runtimeconfig instead.
/// </summary>
internal static class SelfBundle
{
    /// <summary>The slot: 40 bytes of read-only data in the executable (an RVA static), exactly where the file holds
    /// them, so the patched offset is what the mapped image holds.</summary>
    private static ReadOnlySpan<byte> Slot =>
    [
        0, 0, 0, 0, 0, 0, 0, 0,
        0x8b, 0x12, 0x02, 0xb9, 0x6a, 0x61, 0x20, 0x38, 0x72, 0x7b, 0x93, 0x02, 0x14, 0xd7, 0xa0, 0x32,
        0x13, 0xf5, 0xb9, 0xe6, 0xef, 0xae, 0x33, 0x18, 0xee, 0x3b, 0x2d, 0xce, 0x24, 0xb3, 0x6a, 0xae,
    ];

    /// <summary>The bundle header's offset in this executable, or 0 when nothing patched the slot.</summary>
    public static long HeaderOffset => ReadSlot(Slot);

    /// <summary>Reads the slot's first 8 bytes through a call the compiler does not inline and with a volatile read, so
    /// it cannot fold them to the zeros the slot was compiled with.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long ReadSlot(ReadOnlySpan<byte> slot)
    {
        var value = Volatile.Read(ref Unsafe.As<byte, long>(ref MemoryMarshal.GetReference(slot)));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    /// <summary>Reads the launch settings from this executable's bundle, with the payload's place from its entry.</summary>
    /// <param name="file">This executable (<c>/proc/self/exe</c> on Linux).</param>
    /// <returns>The settings, or null when the slot was never patched (not a NativeAOT bundle).</returns>
    /// <exception cref="BootException">The file is truncated or its bundle damaged, or it carries no PyFreeze settings.</exception>
    public static LaunchSettings? Read(string file)
    {
        var header = HeaderOffset;
        if (header == 0)
            return null;
        using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        if (header < 0 || header >= length)
            throw new BootException($"the executable is truncated ({length} bytes, its bundle manifest starts at {header}); build or download it again");
        var manifest = new byte[Math.Min(length - header, 1 << 20)];
        RandomAccess.Read(handle, manifest, header);
        List<BundleEntry> entries;
        try
        {
            entries = BundleManifest.Parse(manifest, length, out _, out _);
        }
        catch (InvalidDataException e)
        {
            throw new BootException($"the executable is damaged ({e.Message}); build or download it again");
        }
        BundleEntry? settingsEntry = null, payload = null;
        foreach (var e in entries)
        {
            if (e.RelativePath == PayloadLayout.SettingsEntry && e.CompressedSize == 0)
                settingsEntry = e;
            else if (e.RelativePath == PayloadLayout.PayloadEntry && e.CompressedSize == 0)
                payload = e;
        }
        if (settingsEntry is null || settingsEntry.Size > 1 << 20)
            throw new BootException("this executable carries no PyFreeze launch settings; build it with `pyfreeze build`");
        var bytes = new byte[settingsEntry.Size];
        if (RandomAccess.Read(handle, bytes, settingsEntry.Offset) != bytes.Length)
            throw new BootException("the executable is truncated; build or download it again");
        var settings = LaunchSettings.FromBytes(bytes)
            ?? throw new BootException("this executable carries no PyFreeze launch settings; build it with `pyfreeze build`");
        return payload is null ? settings : settings with { PayloadOffset = payload.Offset, PayloadLength = payload.Size };
    }
}

using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PyFreeze.Payload;

/// <summary>
/// XXH64 (xxHash specification, "xxhash_spec.md", 64-bit variant, seed 0): the bootloader's integrity check of
/// the payload on first run. It is pure managed code on purpose: .NET's SHA-256 on Linux needs the machine's
/// OpenSSL, which a target machine may lack, and System.IO.Hashing is not available on this registry.
/// Not a security measure (signatures are); it catches truncated and corrupted files.
/// </summary>
public sealed class XxHash64
{
    private const ulong P1 = 11400714785074694791UL;
    private const ulong P2 = 14029467366897019727UL;
    private const ulong P3 = 1609587929392839161UL; // PRIME64_3 = 0x165667B19E3779F9
    private const ulong P4 = 9650029242287828579UL;
    private const ulong P5 = 2870177450012600261UL;

    private ulong _v1 = unchecked(P1 + P2), _v2 = P2, _v3 = 0, _v4 = unchecked(0 - P1);
    private readonly byte[] _buffer = new byte[32];
    private int _buffered;
    private ulong _length;

    /// <summary>Hashes a whole buffer.</summary>
    /// <returns>The 64-bit digest.</returns>
    public static ulong Hash(ReadOnlySpan<byte> data)
    {
        var h = new XxHash64();
        h.Append(data);
        return h.Digest();
    }

    /// <summary>Adds bytes to the running hash.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _length += (ulong)data.Length;
        if (_buffered > 0)
        {
            int take = Math.Min(32 - _buffered, data.Length);
            data[..take].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += take;
            data = data[take..];
            if (_buffered < 32)
                return;
            Stripe(_buffer);
            _buffered = 0;
        }
        if (data.Length >= 32)
        {
            // The bulk loop keeps the four lanes in locals (not fields) and walks by index: several times faster,
            // and it is most of the bootloader's check of the payload on a first run.
            ulong v1 = _v1, v2 = _v2, v3 = _v3, v4 = _v4;
            ref byte start = ref MemoryMarshal.GetReference(data);
            int end = data.Length & ~31;
            for (int i = 0; i < end; i += 32)
            {
                ref byte s = ref Unsafe.Add(ref start, i);
                v1 = Round(v1, Lane(ref s, 0));
                v2 = Round(v2, Lane(ref s, 8));
                v3 = Round(v3, Lane(ref s, 16));
                v4 = Round(v4, Lane(ref s, 24));
            }
            _v1 = v1;
            _v2 = v2;
            _v3 = v3;
            _v4 = v4;
            data = data[end..];
        }
        data.CopyTo(_buffer);
        _buffered = data.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Lane(ref byte s, int offset)
    {
        var v = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref s, offset));
        return BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);
    }

    private void Stripe(ReadOnlySpan<byte> s)
    {
        _v1 = Round(_v1, BinaryPrimitives.ReadUInt64LittleEndian(s));
        _v2 = Round(_v2, BinaryPrimitives.ReadUInt64LittleEndian(s[8..]));
        _v3 = Round(_v3, BinaryPrimitives.ReadUInt64LittleEndian(s[16..]));
        _v4 = Round(_v4, BinaryPrimitives.ReadUInt64LittleEndian(s[24..]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Round(ulong acc, ulong lane) => unchecked(BitOperations.RotateLeft(acc + lane * P2, 31) * P1);

    private static ulong Merge(ulong acc, ulong v) => unchecked((acc ^ Round(0, v)) * P1 + P4);

    /// <summary>The digest of everything appended so far (the state is not changed).</summary>
    public ulong Digest()
    {
        ulong h;
        unchecked
        {
            if (_length >= 32)
            {
                h = BitOperations.RotateLeft(_v1, 1) + BitOperations.RotateLeft(_v2, 7) +
                    BitOperations.RotateLeft(_v3, 12) + BitOperations.RotateLeft(_v4, 18);
                h = Merge(h, _v1);
                h = Merge(h, _v2);
                h = Merge(h, _v3);
                h = Merge(h, _v4);
            }
            else
            {
                h = P5;
            }
            h += _length;
            ReadOnlySpan<byte> rest = _buffer.AsSpan(0, _buffered);
            while (rest.Length >= 8)
            {
                h ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(rest));
                h = BitOperations.RotateLeft(h, 27) * P1 + P4;
                rest = rest[8..];
            }
            if (rest.Length >= 4)
            {
                h ^= BinaryPrimitives.ReadUInt32LittleEndian(rest) * P1;
                h = BitOperations.RotateLeft(h, 23) * P2 + P3;
                rest = rest[4..];
            }
            foreach (var b in rest)
            {
                h ^= b * P5;
                h = BitOperations.RotateLeft(h, 11) * P1;
            }
            h ^= h >> 33;
            h *= P2;
            h ^= h >> 29;
            h *= P3;
            h ^= h >> 32;
        }
        return h;
    }
}

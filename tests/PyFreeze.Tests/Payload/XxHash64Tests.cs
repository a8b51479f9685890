using System.Buffers.Binary;
using System.Numerics;
using PyFreeze.Payload;

namespace PyFreeze.Tests.Payload;

/// <summary>
/// The payload check must not change its digests (built executables carry them, and <c>pyfreeze inspect</c> checks
/// older ones): the bulk loop against a plain one-step-at-a-time version of the same algorithm and constants, whole
/// and fed in pieces of every alignment.
/// </summary>
public class XxHash64Tests
{
    private const ulong P1 = 11400714785074694791UL, P2 = 14029467366897019727UL, P3 = 1609587929392839721UL,
        P4 = 9650029242287828579UL, P5 = 2870177450012600261UL;

    private static ulong Round(ulong acc, ulong lane) => unchecked(BitOperations.RotateLeft(acc + lane * P2, 31) * P1);

    /// <summary>The XXH64 steps (seed 0) written plainly, with the constants <see cref="XxHash64"/> uses.</summary>
    private static ulong Reference(ReadOnlySpan<byte> d)
    {
        unchecked
        {
            ulong h;
            int i = 0;
            if (d.Length >= 32)
            {
                ulong v1 = P1 + P2, v2 = P2, v3 = 0, v4 = 0 - P1;
                for (; i + 32 <= d.Length; i += 32)
                {
                    v1 = Round(v1, BinaryPrimitives.ReadUInt64LittleEndian(d[i..]));
                    v2 = Round(v2, BinaryPrimitives.ReadUInt64LittleEndian(d[(i + 8)..]));
                    v3 = Round(v3, BinaryPrimitives.ReadUInt64LittleEndian(d[(i + 16)..]));
                    v4 = Round(v4, BinaryPrimitives.ReadUInt64LittleEndian(d[(i + 24)..]));
                }
                h = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
                foreach (var v in new[] { v1, v2, v3, v4 })
                    h = (h ^ Round(0, v)) * P1 + P4;
            }
            else
            {
                h = P5;
            }
            h += (ulong)d.Length;
            for (; i + 8 <= d.Length; i += 8)
                h = BitOperations.RotateLeft(h ^ Round(0, BinaryPrimitives.ReadUInt64LittleEndian(d[i..])), 27) * P1 + P4;
            if (i + 4 <= d.Length)
            {
                h = BitOperations.RotateLeft(h ^ BinaryPrimitives.ReadUInt32LittleEndian(d[i..]) * P1, 23) * P2 + P3;
                i += 4;
            }
            for (; i < d.Length; i++)
                h = BitOperations.RotateLeft(h ^ d[i] * P5, 11) * P1;
            h ^= h >> 33;
            h *= P2;
            h ^= h >> 29;
            h *= P3;
            h ^= h >> 32;
            return h;
        }
    }

    [Fact]
    public void Fast_path_matches_the_plain_algorithm_whole_and_in_pieces()
    {
        var data = new byte[300_000];
        new Random(42).NextBytes(data);
        var lengths = Enumerable.Range(0, 260).Concat([1000, 4095, 4096, 65_537, 299_999, 300_000]);
        foreach (var n in lengths)
        {
            var expected = Reference(data.AsSpan(0, n));
            Assert.Equal(expected, XxHash64.Hash(data.AsSpan(0, n)));
            foreach (var piece in new[] { 1, 3, 7, 31, 33, 64, 1000 })
            {
                var h = new XxHash64();
                for (int at = 0; at < n; at += piece)
                    h.Append(data.AsSpan(at, Math.Min(piece, n - at)));
                Assert.True(expected == h.Digest(), $"length {n}, pieces of {piece}");
            }
        }
    }
}

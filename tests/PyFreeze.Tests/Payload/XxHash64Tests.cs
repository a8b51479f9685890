using PyFreeze.Tests.Infrastructure;
using System.IO.Hashing;

namespace PyFreeze.Tests.Payload;

/// <summary>
/// The payload check is XXH64 (seed 0) as the xxHash specification defines it, computed with System.IO.Hashing the way
/// the build (PayloadWriter.Hash) and the bootloader (PayloadCache.Verify) do, whole or appended in pieces: its digests
/// equal those of the reference implementation's <c>xxhsum -H64</c> (Debian package <c>xxhash</c>) and the
/// specification's published values, for every length around the 32-byte stripe and 8/4/1-byte tails, whole and fed in
/// pieces of every alignment.
/// </summary>
public class XxHash64Tests
{
    [Theory]
    [Trait("Lane", "Fast")]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    [InlineData("Nobody inspects the spammish repetition", 0xFBCEA83C8A378BF1UL)]
    public void Published_digests(string text, ulong digest) =>
        Assert.Equal(digest, XxHash64.HashToUInt64(System.Text.Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Matches_xxhsum_whole_and_in_pieces()
    {
        using var t = new TempDir("xxh");
        var data = new byte[300_000];
        new Random(42).NextBytes(data);
        var lengths = Enumerable.Range(0, 80).Concat([255, 256, 257, 1000, 4095, 4096, 65_537, 299_999, 300_000]).ToList();
        foreach (var n in lengths)
            File.WriteAllBytes(t[$"d{n}"], data[..n]);
        var run = Proc.Exec("xxhsum", ["-H64", .. lengths.Select(n => t[$"d{n}"])]);
        Assert.True(run.ExitCode == 0, $"xxhsum (apt-get install xxhash): {run}");
        var expected = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split("  ", 2)).ToDictionary(p => p[1].Trim(), p => Convert.ToUInt64(p[0], 16));
        foreach (var n in lengths)
        {
            var want = expected[t[$"d{n}"]];
            Assert.True(want == XxHash64.HashToUInt64(data.AsSpan(0, n)), $"length {n}");
            Assert.Equal(want.ToString("x16"), PyFreeze.Assemble.PayloadWriter.Hash(t[$"d{n}"]).Xxh64);
            foreach (var piece in new[] { 1, 3, 7, 31, 33, 64, 1000 })
            {
                var h = new XxHash64();
                for (int at = 0; at < n; at += piece)
                    h.Append(data.AsSpan(at, Math.Min(piece, n - at)));
                Assert.True(want == h.GetCurrentHashAsUInt64(), $"length {n}, pieces of {piece}");
            }
        }
    }
}

using PyFreeze.Emit;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cross;

/// <summary>
/// Which kit a RID gets (<see cref="BootloaderKit.ChooseAot(string, string, CrossAotToolchain?, string)"/>) and the
/// linux-arm64 cross toolchain probe (<see cref="CrossAotToolchain.Find"/>) over a folder laid out as Debian 12 lays out
/// clang-14, lld-14, llvm-14, libc6-dev-arm64-cross and libgcc-12-dev-arm64-cross, with one part taken away at a time:
/// a machine without the toolchain gets the single-file host and is told what is missing, never a failed publish.
/// </summary>
[Trait("Lane", "Fast")]
public class BootloaderKitAotChoiceTests
{
    private static readonly string[] SystemPath = ["/usr/local/bin", "/usr/bin", "/bin"];

    /// <summary>The files of Debian 12's packages the cross link reads, relative to the root (a file or, with "->",
    /// a symbolic link and its target as the package has it).</summary>
    private static readonly string[] Debian12 =
    [
        "usr/bin/clang-14 -> ../lib/llvm-14/bin/clang", // clang-14
        "usr/lib/llvm-14/bin/clang",
        "usr/bin/clang-format -> clang-format-14", // not a compiler: never picked
        "usr/bin/clang-format-14",
        "usr/lib/llvm-14/bin/ld.lld", // lld-14
        "usr/bin/ld.lld-14 -> ../lib/llvm-14/bin/ld.lld",
        "usr/lib/llvm-14/bin/llvm-objcopy", // llvm-14
        "usr/bin/llvm-objcopy-14 -> ../lib/llvm-14/bin/llvm-objcopy",
        "usr/aarch64-linux-gnu/lib/Scrt1.o", // libc6-dev-arm64-cross
        "usr/aarch64-linux-gnu/lib/crti.o",
        "usr/aarch64-linux-gnu/lib/crtn.o",
        "usr/aarch64-linux-gnu/lib/libc.so",
        "usr/lib/gcc-cross/aarch64-linux-gnu/12/crtbeginS.o", // libgcc-12-dev-arm64-cross
        "usr/lib/gcc-cross/aarch64-linux-gnu/12/libgcc.a",
    ];

    private static TempDir Root(IEnumerable<string> entries)
    {
        var t = new TempDir("xaot");
        foreach (var e in entries)
        {
            var parts = e.Split(" -> ");
            var path = t[parts[0]];
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (parts.Length == 2)
                File.CreateSymbolicLink(path, parts[1]);
            else
                File.WriteAllText(path, "");
        }
        return t;
    }

    [Fact]
    public void Debian_12s_packages_make_the_toolchain_and_linux_arm64_gets_NativeAOT_on_linux_x64()
    {
        using var root = Root(Debian12);
        var found = CrossAotToolchain.Find(root.Path, SystemPath, out var missing);
        Assert.True(found is not null, missing);
        Assert.Equal("", missing);
        Assert.Equal("/usr/bin/clang-14", found.Clang);
        Assert.Equal("/usr/lib/llvm-14/bin/llvm-objcopy", found.ObjCopy); // beside the clang the link resolves to
        Assert.Equal(["-p:CppCompilerAndLinker=/usr/bin/clang-14", "-p:LinkerFlavor=lld", "-p:ObjCopyName=/usr/lib/llvm-14/bin/llvm-objcopy"],
            found.PublishProperties);

        var choice = BootloaderKit.ChooseAot("linux-arm64", "linux-x64", found, missing);
        Assert.True(choice.Aot);
        Assert.Same(found, choice.Cross);
        Assert.Equal("", choice.Why);
    }

    [Theory]
    [InlineData("usr/bin/clang-14", "no clang on PATH (clang or clang-N; Debian: clang-14)")]
    [InlineData("usr/lib/llvm-14/bin/ld.lld", "no ld.lld beside /usr/bin/clang-14 or on PATH (Debian: lld-14)")]
    [InlineData("usr/lib/llvm-14/bin/llvm-objcopy", "no llvm-objcopy for /usr/bin/clang-14 (Debian: llvm-14)")]
    [InlineData("usr/aarch64-linux-gnu/lib/Scrt1.o", "no /usr/aarch64-linux-gnu/lib/Scrt1.o (Debian: libc6-dev-arm64-cross)")]
    [InlineData("usr/aarch64-linux-gnu/lib/libc.so", "no /usr/aarch64-linux-gnu/lib/libc.so (Debian: libc6-dev-arm64-cross)")]
    [InlineData("usr/lib/gcc-cross/aarch64-linux-gnu/12/crtbeginS.o", "no /usr/lib/gcc-cross/aarch64-linux-gnu/N/crtbeginS.o and libgcc.a (Debian: libgcc-12-dev-arm64-cross)")]
    [InlineData("usr/lib/gcc-cross/aarch64-linux-gnu/12/libgcc.a", "no /usr/lib/gcc-cross/aarch64-linux-gnu/N/crtbeginS.o and libgcc.a (Debian: libgcc-12-dev-arm64-cross)")]
    public void Without_one_part_linux_arm64_gets_the_single_file_host_and_the_reason_names_it(string removed, string reason)
    {
        // the llvm-objcopy-14 on PATH would stand in for the one beside clang: take both away for that case
        using var root = Root(Debian12.Where(e => e.Split(" -> ")[0] != removed && !(removed.EndsWith("/llvm-objcopy", StringComparison.Ordinal) && e.StartsWith("usr/bin/llvm-objcopy", StringComparison.Ordinal))));
        var found = CrossAotToolchain.Find(root.Path, SystemPath, out var missing);
        Assert.Null(found);
        Assert.Equal(reason, missing);

        var choice = BootloaderKit.ChooseAot("linux-arm64", "linux-x64", found, missing);
        Assert.False(choice.Aot);
        Assert.Null(choice.Cross);
        Assert.Equal($"cross-compiling NativeAOT for linux-arm64 needs clang, lld and the aarch64 sysroot ({CrossAotToolchain.DebianPackages}): {reason}", choice.Why);
    }

    [Fact]
    public void An_empty_machine_is_told_every_missing_part()
    {
        using var root = Root([]);
        Assert.Null(CrossAotToolchain.Find(root.Path, SystemPath, out var missing));
        Assert.Equal("no clang on PATH (clang or clang-N; Debian: clang-14); no /usr/aarch64-linux-gnu/lib/Scrt1.o (Debian: libc6-dev-arm64-cross); "
                     + "no /usr/lib/gcc-cross/aarch64-linux-gnu/N/crtbeginS.o and libgcc.a (Debian: libgcc-12-dev-arm64-cross)", missing);
    }

    [Fact]
    public void Plain_clang_comes_first_then_the_newest_clang_N()
    {
        var llvm15 = new[] { "usr/bin/clang-15 -> ../lib/llvm-15/bin/clang", "usr/lib/llvm-15/bin/clang", "usr/lib/llvm-15/bin/ld.lld", "usr/lib/llvm-15/bin/llvm-objcopy" };
        using (var root = Root(Debian12.Concat(llvm15)))
            Assert.Equal("/usr/bin/clang-15", CrossAotToolchain.Find(root.Path, SystemPath, out _)?.Clang);
        // Debian's clang metapackage: /usr/bin/clang -> ../lib/llvm-14/bin/clang (an absolute link is read inside the root too)
        using (var root = Root(Debian12.Concat(llvm15).Append("usr/bin/clang -> /usr/lib/llvm-14/bin/clang")))
        {
            var found = CrossAotToolchain.Find(root.Path, SystemPath, out var missing);
            Assert.True(found is not null, missing);
            Assert.Equal("/usr/bin/clang", found.Clang);
            Assert.Equal("/usr/lib/llvm-14/bin/llvm-objcopy", found.ObjCopy);
        }
    }

    [Fact]
    public void A_clang_whose_LLVM_lacks_lld_is_passed_over_for_one_that_has_it()
    {
        // clang-16 without lld-16, clang-14 with lld-14
        using var root = Root(Debian12.Concat(["usr/bin/clang-16 -> ../lib/llvm-16/bin/clang", "usr/lib/llvm-16/bin/clang"]));
        Assert.Equal("/usr/bin/clang-14", CrossAotToolchain.Find(root.Path, SystemPath, out _)?.Clang);
    }

    [Fact]
    public void Ld_lld_and_llvm_objcopy_on_PATH_do_when_none_is_beside_clang()
    {
        // a clang installed on its own in /opt, with lld and llvm-objcopy-14 found on PATH
        using var root = Root(Debian12.Where(e => !e.StartsWith("usr/lib/llvm-14/bin/", StringComparison.Ordinal) && !e.StartsWith("usr/bin/clang-14", StringComparison.Ordinal) && !e.StartsWith("usr/bin/ld.lld", StringComparison.Ordinal) && !e.StartsWith("usr/bin/llvm-objcopy", StringComparison.Ordinal))
            .Concat(["opt/llvm/bin/clang-14", "usr/bin/ld.lld", "usr/bin/llvm-objcopy-14"]));
        var found = CrossAotToolchain.Find(root.Path, ["/opt/llvm/bin", .. SystemPath], out var missing);
        Assert.True(found is not null, missing);
        Assert.Equal("/opt/llvm/bin/clang-14", found.Clang);
        Assert.Equal("/usr/bin/llvm-objcopy-14", found.ObjCopy);
    }

    [Theory]
    [InlineData("linux-x64", "linux-x64", true, "")]
    [InlineData("linux-arm64", "linux-arm64", true, "")]
    [InlineData("win-x64", "linux-x64", false, "NativeAOT compiles only for the operating system it runs on (linux-x64, and linux-arm64 with a cross toolchain)")]
    [InlineData("osx-arm64", "linux-x64", false, "NativeAOT compiles only for the operating system it runs on (linux-x64, and linux-arm64 with a cross toolchain)")]
    [InlineData("linux-x64", "linux-arm64", false, "NativeAOT compiles only for the operating system it runs on (linux-arm64)")]
    public void Other_RIDs_get_NativeAOT_only_on_their_own_host_whatever_toolchain_is_found(string rid, string host, bool aot, string why)
    {
        using var root = Root(Debian12);
        var found = CrossAotToolchain.Find(root.Path, SystemPath, out var missing);
        var choice = BootloaderKit.ChooseAot(rid, host, found, missing);
        Assert.Equal(aot, choice.Aot);
        Assert.Null(choice.Cross);
        Assert.Equal(why, choice.Why);
    }
}

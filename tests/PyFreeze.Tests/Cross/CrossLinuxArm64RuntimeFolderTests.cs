using PyFreeze.Diagnostics;
using PyFreeze.Probe;
using PyFreeze.Tests.Binaries;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cross;

/// <summary>
/// A linux-arm64 runtime folder that is damaged, incomplete or mixed, read without running anything
/// (<see cref="LinuxTargetRuntime.FromFolder"/>): each is one line naming the file and what to do. The folders are
/// Debian's layout (<c>usr/bin/python3.11</c>, <c>usr/lib/python3.11/os.py</c>) around a small aarch64 ELF file.
/// </summary>
[Trait("Lane", "Fast")]
public class CrossLinuxArm64RuntimeFolderTests
{
    private static readonly Rid Arm64 = Rid.Parse("linux-arm64");

    private static string Root(TempDir t, byte[] interpreter, string? sysconfigdata = null)
    {
        var root = t["root"];
        Directory.CreateDirectory(Path.Combine(root, "usr", "bin"));
        File.WriteAllBytes(Path.Combine(root, "usr", "bin", "python3.11"), interpreter);
        t.Write("root/usr/lib/python3.11/os.py", "# os\n");
        if (sysconfigdata is not null)
            t.Write("root/usr/lib/python3.11/_sysconfigdata__aarch64-linux-gnu.py", sysconfigdata);
        return root;
    }

    private static string Refused(string root)
    {
        var e = Assert.Throws<PyFreezeException>(() => LinuxTargetRuntime.FromFolder(root, Arm64, null));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith($"--runtime {root}: ", e.Message);
        return e.Message;
    }

    private static byte[] Aarch64Exe(params string[] needed) =>
        new ElfBuilder { Machine = 183, Type = 2, Interp = "/lib/ld-linux-aarch64.so.1", Needed = [.. needed] }.Build();

    [Fact]
    public void A_cut_short_interpreter_names_the_file_and_says_to_unpack_again()
    {
        using var t = new TempDir("arm-rt");
        var message = Refused(Root(t, Aarch64Exe()[..40]));
        Assert.Contains("usr/bin/python3.11 is not a usable executable", message);
        Assert.EndsWith("unpack the runtime again", message);
    }

    [Fact]
    public void A_missing_libpython_names_it_and_the_package_that_holds_it()
    {
        using var t = new TempDir("arm-rt");
        var message = Refused(Root(t, Aarch64Exe("libpython3.11.so.1.0", "libc.so.6")));
        Assert.Contains("usr/bin/python3.11 needs libpython3.11.so.1.0, which is not in the runtime", message);
        Assert.True(message.Contains("(looked in ") && message.Contains("usr/lib/aarch64-linux-gnu/"), message);
        Assert.Contains("libpython3.11:arm64", message);
    }

    [Fact]
    public void Sysconfig_data_of_another_machine_is_a_mixed_runtime()
    {
        using var t = new TempDir("arm-rt");
        var message = Refused(Root(t, Aarch64Exe("libc.so.6"), "build_time_vars = {'MULTIARCH': 'x86_64-linux-gnu', 'SOABI': 'cpython-311-x86_64-linux-gnu'}\n"));
        Assert.Contains("says MULTIARCH x86_64-linux-gnu, but usr/bin/python3.11 is aarch64-linux-gnu", message);
        Assert.EndsWith("unpack the packages of one architecture (arm64) into an empty folder", message);
    }
}

using System.Text;
using PyFreeze.Diagnostics;
using PyFreeze.Emit;
using PyFreeze.Release;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Release;

/// <summary>The release formats without a release build: wheel RECORD hashes against CPython's hashlib and base64,
/// archives read back by CPython's zipfile (names, times, modes), SHA256SUMS against coreutils' sha256sum -c, and the
/// installed package's manifest check (a missing or damaged kit file is one line naming it).</summary>
public class ReleaseFormatTests
{
    [Fact]
    public void Record_hash_is_the_urlsafe_unpadded_sha256_pip_computes()
    {
        foreach (var text in new[] { "", "a", "pyfreeze\n", new string('x', 1000) })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var py = Proc.Exec(Pythons.Debian, ["-c",
                "import sys, hashlib, base64; d = sys.stdin.buffer.read(); print('sha256=' + base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode())"],
                stdin: text);
            Assert.True(py.ExitCode == 0, py.ToString());
            Assert.Equal(py.StdOut.Trim(), Wheel.RecordHash(bytes));
        }
    }

    [Fact]
    [Trait("Lane", "Fast")]
    public void Platform_tags_name_each_rid_and_refuse_unknown_ones()
    {
        Assert.Equal("pyfreeze-1.2.3-py3-none-manylinux_2_28_x86_64.whl", Wheel.FileName("1.2.3", "linux-x64"));
        Assert.Equal("manylinux_2_28_aarch64", Wheel.PlatformTag("linux-arm64"));
        Assert.Equal("win_amd64", Wheel.PlatformTag("win-x64"));
        Assert.Equal("macosx_11_0_arm64", Wheel.PlatformTag("osx-arm64"));
        Assert.Throws<ArgumentException>(() => Wheel.PlatformTag("freebsd-x64"));
    }

    [Fact]
    public void Archives_have_the_same_bytes_twice_and_zipfile_reads_fixed_times_and_modes()
    {
        using var t = new TempDir("zip");
        var items = new List<ZipItem> { new("a/run", [1, 2, 3], Executable: true), new("a/data.txt", Encoding.UTF8.GetBytes("hello\n")) };
        var time = ReproducibleZip.Timestamp(1_700_000_001); // odd seconds: a zip holds even ones
        ReproducibleZip.Write(t["one.zip"], items, time);
        Thread.Sleep(1100);
        ReproducibleZip.Write(t["two.zip"], items, time);
        Assert.Equal(File.ReadAllBytes(t["one.zip"]), File.ReadAllBytes(t["two.zip"]));
        var py = Proc.Exec(Pythons.Debian, ["-c",
            "import sys, zipfile\nfor i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.filename, oct(i.external_attr >> 16), i.date_time, len(i.extra))",
            t["one.zip"]]);
        Assert.True(py.ExitCode == 0, py.ToString());
        Assert.Equal(
            "a/run 0o100755 (2023, 11, 14, 22, 13, 20) 0\na/data.txt 0o100644 (2023, 11, 14, 22, 13, 20) 0\n", py.StdOut);
        Assert.Equal(ReproducibleZip.DosEpoch, ReproducibleZip.Timestamp(0));
        Assert.Throws<ArgumentException>(() => ReproducibleZip.Write(t["dup.zip"], [items[0], items[0]], time));
    }

    [PyFreeze.Tests.Binaries.FactRequires("tool:sha256sum")]
    public void Sha256sums_pass_coreutils_check()
    {
        using var t = new TempDir("sums");
        t.Write("b.whl", "wheel");
        t.Write("a.nupkg", "tool");
        t.Write(".hidden", "left out");
        Sha256Sums.Write(t.Path);
        var lines = File.ReadAllLines(t["SHA256SUMS"]);
        Assert.Equal(["a.nupkg", "b.whl"], lines.Select(l => l.Split("  ")[1]));
        var check = Proc.Exec("sha256sum", ["-c", "SHA256SUMS"], cwd: t.Path);
        Assert.True(check.ExitCode == 0, check.ToString());
        File.AppendAllText(t["b.whl"], "!");
        Assert.NotEqual(0, Proc.Exec("sha256sum", ["-c", "SHA256SUMS"], cwd: t.Path).ExitCode);
    }

    [Fact]
    [Trait("Lane", "Fast")]
    public void Installed_package_finds_its_manifest_beside_the_executable_or_under_share_and_checks_every_kit_file()
    {
        using var t = new TempDir("pkg");
        var kits = Path.Combine(t.Path, "kits-in");
        Directory.CreateDirectory(Path.Combine(kits, "linux-x64", "files"));
        File.WriteAllText(Path.Combine(kits, "linux-x64", "kit.txt"), "rid=linux-x64\n");
        File.WriteAllText(Path.Combine(kits, "linux-x64", "files", "a.dll"), "IL");
        Directory.CreateDirectory(Path.Combine(kits, "empty-rid"));
        var share = Path.Combine(t.Path, "venv", "share", "pyfreeze");
        var rids = PackageTree.Lay(share, kits, Repo.Root, "9.8.7", "wheel");
        Assert.Equal(["linux-x64"], rids);
        Assert.True(File.Exists(Path.Combine(share, "bootloader-src", "bootloader", "PyFreeze.Bootloader.csproj")));
        Assert.True(File.Exists(Path.Combine(share, "bootloader-src", "src", "PyFreeze.Payload", "PyFreeze.Payload.csproj")));

        var bin = Path.Combine(t.Path, "venv", "bin");
        Directory.CreateDirectory(bin);
        Assert.Null(InstalledPackage.Find(bin, "1.0.0")); // another version's manifest is not this executable's
        var package = InstalledPackage.Find(bin, "9.8.7");
        Assert.NotNull(package);
        Assert.Equal("wheel", package.Channel);
        Assert.Equal(Path.Combine(share, "kits", "linux-x64"), package.VerifiedKit("linux-x64"));
        Assert.Null(package.VerifiedKit("win-x64"));
        Assert.NotNull(package.BootloaderProject());

        var dll = Path.Combine(share, "kits", "linux-x64", "files", "a.dll");
        File.AppendAllText(dll, "x");
        var damaged = Assert.Throws<PyFreezeException>(() => package.VerifiedKit("linux-x64"));
        Assert.Equal($"{dll}: damaged (its SHA-256 differs from the package's); reinstall PyFreeze: pipx reinstall pyfreeze, or pip install --force-reinstall pyfreeze==9.8.7", damaged.Message);
        File.Delete(dll);
        Assert.StartsWith($"{dll}: missing; reinstall PyFreeze: pipx reinstall", Assert.Throws<PyFreezeException>(() => package.VerifiedKit("linux-x64")).Message);

        File.WriteAllText(Path.Combine(share, InstalledPackage.ManifestName), "{\"version\": ");
        var bad = Assert.Throws<PyFreezeException>(() => InstalledPackage.Find(bin, "9.8.7"));
        Assert.StartsWith(Path.Combine(share, InstalledPackage.ManifestName) + ": damaged", bad.Message);
        Assert.DoesNotContain('\n', bad.Message);
    }
}

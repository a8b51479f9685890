using System.Text.RegularExpressions;
using PyFreeze.Binaries;

namespace PyFreeze.Tests.Binaries;

public class MachOFileTests
{
    internal const string RealDylibs = "~/.nuget/packages/microsoft.codecoverage/*/build/netstandard2.0/macos/x64";

    internal static byte[] Arm64Dylib() =>
        new MachOBuilder { CpuType = MachOFile.CpuTypeArm64 }
            .IdDylib("@rpath/libpython3.11.dylib")
            .Dylib("/usr/lib/libSystem.B.dylib", current: 0x05016400)
            .WeakDylib("@rpath/libweak.dylib")
            .ReexportDylib("@loader_path/libre.dylib")
            .LazyDylib("/usr/lib/liblazy.dylib")
            .UpwardDylib("@rpath/libup.dylib")
            .RPath("@loader_path/../lib")
            .RPath("/opt/homebrew/lib")
            .BuildVersion(1, 0x000b0000, 0x000e0200)
            .CodeSignature()
            .Build();

    [Fact]
    public void ThinArm64DylibFromTheBuilder()
    {
        var m = MachOFile.Read(new MemoryStream(Arm64Dylib()), "libpython3.11.dylib");
        Assert.False(m.IsFat);
        var img = Assert.Single(m.Images);
        Assert.Equal("arm64", img.ArchitectureName);
        Assert.Equal(System.Runtime.InteropServices.Architecture.Arm64, img.Architecture);
        Assert.True(img.Is64);
        Assert.Equal(MachOFileType.Dylib, img.FileType);
        Assert.Equal("@rpath/libpython3.11.dylib", img.InstallName);
        Assert.Equal(
            [("/usr/lib/libSystem.B.dylib", MachODylibKind.Load), ("@rpath/libweak.dylib", MachODylibKind.Weak),
             ("@loader_path/libre.dylib", MachODylibKind.Reexport), ("/usr/lib/liblazy.dylib", MachODylibKind.Lazy),
             ("@rpath/libup.dylib", MachODylibKind.Upward)],
            img.Dylibs.Select(d => (d.Name, d.Kind)));
        Assert.Equal(new Version(1281, 100, 0), MachOFile.DecodeVersion(img.Dylibs[0].CurrentVersion));
        Assert.Equal(["@loader_path/../lib", "/opt/homebrew/lib"], img.RPaths);
        Assert.True(img.HasCodeSignature);
        Assert.Equal(1u, img.Platform);
        Assert.Equal(new Version(11, 0, 0), img.MinimumOsVersion);
        Assert.Equal(new Version(14, 2, 0), img.SdkVersion);
    }

    [Fact]
    public void FatFileWithArm64AndX86_64()
    {
        var x64 = new MachOBuilder { CpuType = MachOFile.CpuTypeX86_64, CpuSubtype = 3, FileType = 8 }
            .Dylib("/usr/lib/libSystem.B.dylib").Dylib("@rpath/libssl.3.dylib").VersionMinMacOS(0x000a0900, 0x000b0000).Build();
        var fat = MachOBuilder.Fat((MachOFile.CpuTypeArm64, 0, Arm64Dylib()), (MachOFile.CpuTypeX86_64, 3, x64));
        var m = MachOFile.Read(new MemoryStream(fat), "universal.so");
        Assert.True(m.IsFat);
        Assert.Equal(["arm64", "x86_64"], m.FatArchitectures.Select(a => a.ArchitectureName));
        Assert.Equal(4096, m.FatArchitectures[0].Offset);
        var arm = m.Select("arm64")!;
        Assert.Equal("@rpath/libpython3.11.dylib", arm.InstallName);
        var intel = m.Select(MachOFile.CpuTypeX86_64)!;
        Assert.Equal(MachOFileType.Bundle, intel.FileType);
        Assert.Null(intel.InstallName);
        Assert.Equal(["/usr/lib/libSystem.B.dylib", "@rpath/libssl.3.dylib"], intel.Dylibs.Select(d => d.Name));
        Assert.Equal(new Version(10, 9, 0), intel.MinimumOsVersion);
        Assert.False(intel.HasCodeSignature);
        Assert.Null(m.Select("i386"));
        Assert.Null(m.Select("arm64e"));

        var info = BinaryInspector.Read(new MemoryStream(fat), "universal.so", "x86_64")!;
        Assert.Equal(BinaryFormat.MachO, info.Format);
        Assert.Equal("x86_64", info.MachineName);
        Assert.Equal(["arm64", "x86_64"], info.Architectures);
        Assert.Equal(["/usr/lib/libSystem.B.dylib", "@rpath/libssl.3.dylib"], info.NeededNames);
        var e = Assert.Throws<BinaryFormatException>(() => BinaryInspector.Read(new MemoryStream(fat), "universal.so", "ppc"));
        Assert.Contains("has no ppc slice", e.Message);
    }

    [Fact]
    public void BigEndian32BitPowerPcImage()
    {
        var ppc = new MachOBuilder { CpuType = MachOFile.CpuTypePowerPC, Is64 = false, BigEndian = true, FileType = 2 }
            .Dylib("/usr/lib/libSystem.B.dylib").RPath("@executable_path/../Frameworks").Build();
        var m = MachOFile.Read(new MemoryStream(ppc), "old");
        var img = m.Images[0];
        Assert.Equal("ppc", img.ArchitectureName);
        Assert.True(img.IsBigEndian);
        Assert.False(img.Is64);
        Assert.Equal(MachOFileType.Execute, img.FileType);
        Assert.Equal(["/usr/lib/libSystem.B.dylib"], img.Dylibs.Select(d => d.Name));
        Assert.Equal(["@executable_path/../Frameworks"], img.RPaths);
    }

    [Fact]
    public void JavaClassFileIsNotMistakenForAFatBinary()
    {
        // 0xcafebabe, minor 0, major 52 (Java 8): the "slice count" would be 52.
        byte[] cls = [0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x34, 0x00, 0x10, 0x0a, 0x00, 0x03, 0x00, 0x0d, 0x07];
        Assert.Null(BinaryInspector.Identify(new MemoryStream(cls)));
        Assert.Null(BinaryInspector.Read(new MemoryStream(cls), "Main.class"));
        Assert.Throws<BinaryFormatException>(() => MachOFile.Read(new MemoryStream(cls), "Main.class"));
    }

    /// <summary>llvm-objdump --macho --private-headers: install name, (kind, name) of dylib commands, rpaths, signature, minos.</summary>
    private static (string? Id, List<(string Cmd, string Name)> Dylibs, List<string> RPaths, bool Signed, string? MinOs) Objdump(string path)
    {
        var res = Requirements.Run(Requirements.FindTool("llvm-objdump")!, "--macho", "--private-headers", path);
        Assert.True(res.ExitCode == 0, res.StdErr);
        string? id = null, cmd = null, minos = null;
        var dylibs = new List<(string, string)>();
        var rpaths = new List<string>();
        var signed = false;
        foreach (var line in res.StdOut.Split('\n'))
        {
            var c = Regex.Match(line, @"^\s+cmd (LC_\w+)");
            if (c.Success) { cmd = c.Groups[1].Value; signed |= cmd == "LC_CODE_SIGNATURE"; continue; }
            var n = Regex.Match(line, @"^\s+(name|path) (.*) \(offset \d+\)");
            if (n.Success)
            {
                if (cmd == "LC_ID_DYLIB") id = n.Groups[2].Value;
                else if (cmd == "LC_RPATH") rpaths.Add(n.Groups[2].Value);
                else if (cmd is not null && cmd.Contains("DYLIB") && cmd != "LC_ID_DYLIB") dylibs.Add((cmd, n.Groups[2].Value));
                continue;
            }
            var v = Regex.Match(line, @"^\s+minos (\S+)");
            if (v.Success) minos = v.Groups[1].Value;
        }
        return (id, dylibs, rpaths, signed, minos);
    }

    [FactRequires("glob:" + RealDylibs + "/libInstrumentationEngine.dylib", "tool:llvm-objdump")]
    public void RealDylibsMatchLlvmObjdump()
    {
        var files = Directory.EnumerateFiles(Requirements.Glob(Requirements.Expand(RealDylibs)).First(), "*.dylib").Order().ToList();
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var m = MachOFile.Read(f);
            var img = Assert.Single(m.Images);
            var o = Objdump(f);
            Assert.Equal("x86_64", img.ArchitectureName);
            Assert.Equal(o.Id, img.InstallName);
            Assert.Equal(o.Dylibs.Select(d => d.Name), img.Dylibs.Select(d => d.Name));
            Assert.Equal(o.Dylibs.Select(d => d.Cmd switch
            {
                "LC_LOAD_WEAK_DYLIB" => MachODylibKind.Weak,
                "LC_REEXPORT_DYLIB" => MachODylibKind.Reexport,
                "LC_LAZY_LOAD_DYLIB" => MachODylibKind.Lazy,
                "LC_LOAD_UPWARD_DYLIB" => MachODylibKind.Upward,
                _ => MachODylibKind.Load,
            }), img.Dylibs.Select(d => d.Kind));
            Assert.Equal(o.RPaths, img.RPaths);
            Assert.Equal(o.Signed, img.HasCodeSignature);
            if (o.MinOs is not null)
                Assert.Equal(Version.Parse(o.MinOs.Contains('.') ? o.MinOs : o.MinOs + ".0"), new Version(img.MinimumOsVersion!.Major, img.MinimumOsVersion.Minor));
        }
    }

    [FactRequires("glob:" + RealDylibs + "/libInstrumentationEngine.dylib")]
    public void RealDylibInstallNameAndSystemDependencies()
    {
        var f = Path.Combine(Requirements.Glob(Requirements.Expand(RealDylibs)).First(), "libInstrumentationEngine.dylib");
        var info = BinaryInspector.Read(f)!;
        Assert.Equal(BinaryFormat.MachO, info.Format);
        Assert.True(info.IsLibrary);
        Assert.Equal("@rpath/libInstrumentationEngine.dylib", info.Name);
        Assert.Contains("/usr/lib/libSystem.B.dylib", info.NeededNames);
        Assert.True(info.MachOImage!.HasCodeSignature);
        Assert.Equal(new Version(11, 6, 0), info.MachOImage.MinimumOsVersion);
    }
}

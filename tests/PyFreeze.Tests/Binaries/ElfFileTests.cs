using System.Text.RegularExpressions;
using PyFreeze.Binaries;

namespace PyFreeze.Tests.Binaries;

public class ElfFileTests
{
    internal const string SystemPython = "/usr/bin/python3.11";
    internal const string PyenvPython = "~/.pyenv/versions/3.11.7/bin/python3.11";
    internal const string DistPackages = "/usr/lib/python3/dist-packages";
    internal const string LibDynload = "/usr/lib/python3.11/lib-dynload";

    /// <summary>The .so files of the system Python's lib-dynload and dist-packages.</summary>
    internal static List<string> RealExtensionModules() =>
        new[] { LibDynload, DistPackages }
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.so", SearchOption.AllDirectories))
            .Where(f => !new FileInfo(f).Attributes.HasFlag(FileAttributes.ReparsePoint))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>readelf -d: (NEEDED list, SONAME, RPATH, RUNPATH, FLAGS_1 words).</summary>
    internal static (List<string> Needed, string? SoName, string? RPath, string? RunPath, string Flags1) ReadElfDynamic(string path)
    {
        var res = Requirements.Run("readelf", "-dW", path);
        Assert.Equal(0, res.ExitCode);
        var needed = new List<string>();
        string? soname = null, rpath = null, runpath = null, flags1 = "";
        foreach (var line in res.StdOut.Split('\n'))
        {
            var m = Regex.Match(line, @"\((\w+)\)\s+(.*)$");
            if (!m.Success) continue;
            var value = Regex.Match(m.Groups[2].Value, @"\[(.*)\]").Groups[1].Value;
            switch (m.Groups[1].Value)
            {
                case "NEEDED": needed.Add(value); break;
                case "SONAME": soname = value; break;
                case "RPATH": rpath = value; break;
                case "RUNPATH": runpath = value; break;
                case "FLAGS_1": flags1 = m.Groups[2].Value; break;
            }
        }
        return (needed, soname, rpath, runpath, flags1);
    }

    /// <summary>readelf -V: the version names needed per file.</summary>
    internal static List<(string File, List<string> Names)> ReadElfVersionNeeds(string path)
    {
        var res = Requirements.Run("readelf", "-VW", path);
        Assert.Equal(0, res.ExitCode);
        var result = new List<(string, List<string>)>();
        var inNeeds = false;
        foreach (var line in res.StdOut.Split('\n'))
        {
            if (line.StartsWith("Version needs section", StringComparison.Ordinal)) { inNeeds = true; continue; }
            if (line.StartsWith("Version ", StringComparison.Ordinal) && !line.StartsWith("Version needs", StringComparison.Ordinal)) inNeeds = false;
            if (!inNeeds) continue;
            var f = Regex.Match(line, @"Version: \d+\s+File: (\S+)\s+Cnt:");
            if (f.Success) { result.Add((f.Groups[1].Value, [])); continue; }
            var n = Regex.Match(line, @"Name: (\S+)\s+Flags:");
            if (n.Success) result[^1].Item2.Add(n.Groups[1].Value);
        }
        return result;
    }

    [FactRequires(SystemPython)]
    public void SystemPythonIsStaticLibpythonWithFourNeeded()
    {
        var elf = ElfFile.Read(SystemPython);
        Assert.Equal(ElfClass.Elf64, elf.Class);
        Assert.Equal(ElfData.LittleEndian, elf.Data);
        Assert.Equal("x86_64", elf.MachineName);
        Assert.Equal(System.Runtime.InteropServices.Architecture.X64, elf.Architecture);
        Assert.Equal(ElfType.Executable, elf.Type);
        Assert.Equal("/lib64/ld-linux-x86-64.so.2", elf.Interpreter);
        Assert.Equal(["libm.so.6", "libz.so.1", "libexpat.so.1", "libc.so.6"], elf.Needed);
        Assert.Null(elf.SoName);
        Assert.Empty(elf.RunPath);
        Assert.True(elf.RequiredGlibcVersion >= new Version(2, 34));
    }

    [FactRequires(PyenvPython, "tool:readelf")]
    public void PyenvPythonHasRunpathAndNeedsLibpython()
    {
        var path = Requirements.Expand(PyenvPython);
        var elf = ElfFile.Read(path);
        var oracle = ReadElfDynamic(path);
        Assert.Equal(["libpython3.11.so.1.0", "libc.so.6"], elf.Needed);
        Assert.NotNull(oracle.RunPath);
        Assert.Equal(oracle.RunPath, elf.RunPathString);
        Assert.Equal([Path.Combine(Requirements.Home, ".pyenv/versions/3.11.7/lib")], elf.RunPath);
        Assert.Null(elf.RPathString);
        Assert.Empty(elf.EffectiveRPath);
        Assert.Equal(ElfType.SharedObject, elf.Type); // a PIE
        Assert.NotNull(elf.Interpreter);
    }

    [FactRequires(SystemPython, "tool:readelf")]
    public void GlibcVersionNeedsMatchReadelf()
    {
        var elf = ElfFile.Read(SystemPython);
        var oracle = ReadElfVersionNeeds(SystemPython);
        Assert.Equal(oracle.Select(o => o.File), elf.VersionNeeds.Select(v => v.File));
        Assert.Equal(oracle.SelectMany(o => o.Names), elf.VersionNeeds.SelectMany(v => v.Versions));
        var max = oracle.SelectMany(o => o.Names).Select(n => ElfFile.TryParseGlibcVersion(n, out var v) ? v : null).Max();
        Assert.Equal(max, elf.RequiredGlibcVersion);
    }

    [FactRequires(LibDynload, DistPackages, "tool:readelf")]
    public void DynamicSectionsOfRealExtensionModulesMatchReadelf()
    {
        var files = RealExtensionModules();
        Assert.True(files.Count >= 30, $"only {files.Count} .so files found");
        var mismatches = new List<string>();
        foreach (var f in files)
        {
            var elf = ElfFile.Read(f);
            var (needed, soname, rpath, runpath, flags1) = ReadElfDynamic(f);
            if (!needed.SequenceEqual(elf.Needed)) mismatches.Add($"{f}: NEEDED [{string.Join(",", elf.Needed)}] vs readelf [{string.Join(",", needed)}]");
            if (soname != elf.SoName) mismatches.Add($"{f}: SONAME {elf.SoName} vs {soname}");
            if (rpath != elf.RPathString) mismatches.Add($"{f}: RPATH {elf.RPathString} vs {rpath}");
            if (runpath != elf.RunPathString) mismatches.Add($"{f}: RUNPATH {elf.RunPathString} vs {runpath}");
            if (flags1.Contains("NODEFLIB") != elf.NoDefaultLib) mismatches.Add($"{f}: NODEFLIB {elf.NoDefaultLib} vs '{flags1}'");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [FactRequires(LibDynload, DistPackages, "tool:readelf")]
    public void VersionNeedsOfRealExtensionModulesMatchReadelf()
    {
        var mismatches = new List<string>();
        foreach (var f in RealExtensionModules().Where((_, i) => i % 3 == 0))
        {
            var elf = ElfFile.Read(f);
            var oracle = ReadElfVersionNeeds(f);
            var mine = elf.VersionNeeds.Select(v => v.File + ":" + string.Join(",", v.Versions));
            var theirs = oracle.Select(o => o.File + ":" + string.Join(",", o.Names));
            if (!mine.SequenceEqual(theirs))
                mismatches.Add($"{f}: [{string.Join(" ", mine)}] vs readelf [{string.Join(" ", theirs)}]");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void SyntheticElfOfEveryClassAndByteOrderParses(bool is64, bool bigEndian)
    {
        var bytes = new ElfBuilder
        {
            Is64 = is64,
            BigEndian = bigEndian,
            Machine = (ushort)(bigEndian ? 22 : 40),
            Interp = "/lib/ld-linux.so.3",
            Needed = ["libfoo.so.1", "libc.so.6"],
            SoName = "libbar.so.2",
            RPath = "$ORIGIN/../lib::/opt/x",
            RunPath = "/opt/run",
            Flags1 = ElfFile.DF_1_NODEFLIB | 1,
            VersionNeeds = [("libc.so.6", ["GLIBC_2.4", "GLIBC_2.17", "GLIBC_PRIVATE"]), ("libfoo.so.1", ["FOO_1.0"])],
        }.Build();
        var elf = ElfFile.Read(new MemoryStream(bytes), "synthetic.so");
        Assert.Equal(is64 ? ElfClass.Elf64 : ElfClass.Elf32, elf.Class);
        Assert.Equal(bigEndian ? ElfData.BigEndian : ElfData.LittleEndian, elf.Data);
        Assert.Equal(bigEndian ? (is64 ? "s390x" : "s390") : "arm", elf.MachineName);
        Assert.Equal("/lib/ld-linux.so.3", elf.Interpreter);
        Assert.Equal(["libfoo.so.1", "libc.so.6"], elf.Needed);
        Assert.Equal("libbar.so.2", elf.SoName);
        Assert.Equal(["$ORIGIN/../lib", "", "/opt/x"], elf.RPath);
        Assert.Equal(["/opt/run"], elf.RunPath);
        Assert.Empty(elf.EffectiveRPath); // RUNPATH present: RPATH ignored
        Assert.True(elf.NoDefaultLib);
        Assert.Equal(new Version(2, 17), elf.RequiredGlibcVersion);
        Assert.Equal(2, elf.VersionNeeds.Count);
        Assert.Equal(["FOO_1.0"], elf.VersionNeeds[1].Versions);
    }

    [Fact]
    public void MachineNamesFollowGnuSpelling()
    {
        Assert.Equal("x86_64", ElfFile.GetMachineName(62, ElfClass.Elf64));
        Assert.Equal("aarch64", ElfFile.GetMachineName(183, ElfClass.Elf64));
        Assert.Equal("i386", ElfFile.GetMachineName(3, ElfClass.Elf32));
        Assert.Equal("arm", ElfFile.GetMachineName(40, ElfClass.Elf32));
        Assert.Equal("machine-9999", ElfFile.GetMachineName(9999, ElfClass.Elf32));
    }

    [Theory]
    [InlineData("GLIBC_2.2.5", "2.2.5")]
    [InlineData("GLIBC_2.34", "2.34")]
    [InlineData("GLIBC_PRIVATE", null)]
    [InlineData("GLIBC_ABI_DT_RELR", null)]
    [InlineData("ZLIB_1.2.0", null)]
    public void GlibcVersionNamesParse(string name, string? expected)
    {
        Assert.Equal(expected is not null, ElfFile.TryParseGlibcVersion(name, out var v));
        if (expected is not null) Assert.Equal(Version.Parse(expected), v);
    }

    [Fact]
    public void NotElfIsAFormatError()
    {
        var e = Assert.Throws<BinaryFormatException>(() => ElfFile.Read(new MemoryStream("#!/usr/bin/env python3\nprint(1)\n"u8.ToArray()), "x.py"));
        Assert.Contains("x.py", e.Message);
        Assert.Contains("not an ELF file", e.Message);
    }
}

using PyFreeze.Binaries;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Binaries;

[Trait("Lane", "Fast")]
public class BinaryInspectorTests
{
    [Fact]
    public void NonBinariesAreNull()
    {
        using var tmp = new TempDir();
        var py = tmp.File("app.py");
        File.WriteAllText(py, "import sys\nprint(sys.argv)\n");
        var txt = tmp.File("notes.txt");
        File.WriteAllText(txt, "MZ is how a DOS program starts, \x7fELF how ELF does");
        var empty = tmp.File("empty.so");
        File.WriteAllBytes(empty, []);
        var tiny = tmp.File("tiny");
        File.WriteAllBytes(tiny, [0x7f, (byte)'E']);
        foreach (var f in new[] { py, txt, empty, tiny })
        {
            Assert.Null(BinaryInspector.Identify(f));
            Assert.Null(BinaryInspector.Read(f));
        }
    }

    [Fact]
    public void SyntheticFilesOfEachFormatAreIdentified()
    {
        Assert.Equal(BinaryFormat.Elf, BinaryInspector.Identify(new MemoryStream(new ElfBuilder().Build())));
        Assert.Equal(BinaryFormat.Pe, BinaryInspector.Identify(new MemoryStream(new PeBuilder().Build())));
        Assert.Equal(BinaryFormat.MachO, BinaryInspector.Identify(new MemoryStream(MachOFileTests.Arm64Dylib())));
        var fat = MachOBuilder.Fat((MachOFile.CpuTypeArm64, 0, MachOFileTests.Arm64Dylib()));
        Assert.Equal(BinaryFormat.MachO, BinaryInspector.Identify(new MemoryStream(fat)));
    }

    [FactRequires(ElfFileTests.PyenvPython)]
    public void CommonViewOfAnElfExecutable()
    {
        var info = BinaryInspector.Read(Requirements.Expand(ElfFileTests.PyenvPython))!;
        Assert.Equal(BinaryFormat.Elf, info.Format);
        Assert.Equal("x86_64", info.MachineName);
        Assert.Equal(System.Runtime.InteropServices.Architecture.X64, info.Architecture);
        Assert.False(info.IsLibrary);
        Assert.Equal(["libpython3.11.so.1.0", "libc.so.6"], info.NeededNames);
        Assert.All(info.Needed, n => Assert.Equal(NeededKind.Required, n.Kind));
        Assert.Single(info.RunPaths);
        Assert.Empty(info.RPaths);
        Assert.Null(info.Name);
        Assert.NotNull(info.Elf);
    }

    [FactRequires("glob:/usr/lib/python3/dist-packages/numpy/core/_multiarray_umath*.so")]
    public void CommonViewOfAnElfLibrary()
    {
        var info = BinaryInspector.Read(Requirements.Glob("/usr/lib/python3/dist-packages/numpy/core/_multiarray_umath*.so").First())!;
        Assert.True(info.IsLibrary);
        Assert.Equal(BinaryFormat.Elf, BinaryInspector.Identify(info.FileName));
        Assert.Contains("libblas.so.3", info.NeededNames);
    }

    [Fact]
    public void CommonViewOfPeAndMachO()
    {
        var pe = BinaryInspector.Read(new MemoryStream(new PeBuilder { Dll = true, Imports = ["python311.dll"], DelayImports = ["USER32.dll"], ExportName = "_ssl.pyd" }.Build()), "_ssl.pyd")!;
        Assert.Equal(BinaryFormat.Pe, pe.Format);
        Assert.Equal("x64", pe.MachineName);
        Assert.True(pe.IsLibrary);
        Assert.Equal("_ssl.pyd", pe.Name);
        Assert.Equal([new NeededLibrary("python311.dll", NeededKind.Required), new NeededLibrary("USER32.dll", NeededKind.Delayed)], pe.Needed);
        Assert.True(pe.Needed[1].IsOptional);

        var mac = BinaryInspector.Read(new MemoryStream(MachOFileTests.Arm64Dylib()), "libpython3.11.dylib")!;
        Assert.Equal("arm64", mac.MachineName);
        Assert.Equal("@rpath/libpython3.11.dylib", mac.Name);
        Assert.Equal(["@loader_path/../lib", "/opt/homebrew/lib"], mac.RPaths);
        Assert.Equal(NeededKind.Weak, mac.Needed[1].Kind);
        Assert.Equal(NeededKind.Reexport, mac.Needed[2].Kind);
    }

    [FactRequires("/usr/lib/python3.11/lib-dynload")]
    public void EveryFileOfAPythonInstallIsSniffedWithoutErrors()
    {
        var count = 0;
        foreach (var f in Directory.EnumerateFiles("/usr/lib/python3.11", "*", SearchOption.AllDirectories).Take(3000))
        {
            var fmt = BinaryInspector.Identify(f);
            var expectElf = f.EndsWith(".so", StringComparison.Ordinal) || f.EndsWith(".o", StringComparison.Ordinal);
            Assert.True(expectElf == (fmt == BinaryFormat.Elf), $"{f}: {fmt}");
            if (fmt is not null)
                Assert.NotNull(BinaryInspector.Read(f));
            count++;
        }
        Assert.True(count > 100);
    }
}

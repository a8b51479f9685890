using System.Text.Json;
using PyFreeze.Binaries;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Binaries;

public class PeFileTests
{
    private const string MinGw = "tool:x86_64-w64-mingw32-gcc";
    private const string CodeCoverage = "~/.nuget/packages/microsoft.codecoverage/*/build/netstandard2.0/CodeCoverage";

    private static string Mingw(TempDir tmp, string output, string source, params string[] args)
    {
        var src = tmp.File(Path.GetFileNameWithoutExtension(output) + ".c");
        File.WriteAllText(src, source);
        var res = Requirements.Run("x86_64-w64-mingw32-gcc", ["-o", output, src, .. args]);
        Assert.True(res.ExitCode == 0, res.StdErr);
        return output;
    }

    /// <summary>pefile's view: machine, subsystem, characteristics, imports, delay imports, CLR header.</summary>
    private static (int Machine, int Subsystem, int Characteristics, List<string> Imports, List<string> Delay, bool Clr) PefileOracle(string path)
    {
        const string script = """
            import json, sys, pefile
            pe = pefile.PE(sys.argv[1], fast_load=True)
            pe.parse_data_directories(directories=[1, 13])
            clr = pe.OPTIONAL_HEADER.DATA_DIRECTORY[14]
            print(json.dumps({
                "machine": pe.FILE_HEADER.Machine, "subsystem": pe.OPTIONAL_HEADER.Subsystem,
                "characteristics": pe.FILE_HEADER.Characteristics,
                "imports": [e.dll.decode("latin-1") for e in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])],
                "delay": [e.dll.decode("latin-1") for e in getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", [])],
                "clr": clr.VirtualAddress != 0 and clr.Size != 0}))
            """;
        var res = Requirements.Run("/usr/bin/python3", "-c", script, path);
        Assert.True(res.ExitCode == 0, res.StdErr);
        var j = JsonDocument.Parse(res.StdOut).RootElement;
        return (j.GetProperty("machine").GetInt32(), j.GetProperty("subsystem").GetInt32(), j.GetProperty("characteristics").GetInt32(),
            j.GetProperty("imports").EnumerateArray().Select(e => e.GetString()!).ToList(),
            j.GetProperty("delay").EnumerateArray().Select(e => e.GetString()!).ToList(),
            j.GetProperty("clr").GetBoolean());
    }

    [FactRequires(MinGw)]
    public void MingwConsoleExeGuiExeAndDll()
    {
        using var tmp = new TempDir();
        var dll = Mingw(tmp, tmp.File("foo.dll"), "__declspec(dllexport) int foo(void){return 42;}", "-shared");
        var con = Mingw(tmp, tmp.File("con.exe"), "int foo(void); int main(void){return foo();}", dll);
        var gui = Mingw(tmp, tmp.File("gui.exe"),
            "#include <windows.h>\nint WINAPI WinMain(HINSTANCE a, HINSTANCE b, LPSTR c, int d){MessageBoxA(0,\"hi\",\"x\",0);return 0;}", "-mwindows");

        var d = PeFile.Read(dll);
        Assert.True(d.IsDll);
        Assert.True(d.IsPe32Plus);
        Assert.Equal("x64", d.MachineName);
        Assert.Equal("foo.dll", d.ExportName);
        Assert.Contains("KERNEL32.dll", d.Imports);
        Assert.False(d.IsDotNet);

        var c = PeFile.Read(con);
        Assert.False(c.IsDll);
        Assert.Equal(PeSubsystem.WindowsConsole, c.Subsystem);
        Assert.Equal("foo.dll", c.Imports[^1]);
        Assert.Contains(c.Sections, s => s.Name == ".text");
        Assert.Contains(c.Sections, s => s.Name == ".idata");

        var g = PeFile.Read(gui);
        Assert.Equal(PeSubsystem.WindowsGui, g.Subsystem);
        Assert.Contains("USER32.dll", g.Imports);
        Assert.Empty(g.DelayImports);

        var objdump = Requirements.FindTool("x86_64-w64-mingw32-objdump");
        if (objdump is not null)
            foreach (var f in new[] { dll, con, gui })
            {
                var names = Requirements.Run(objdump, "-p", f).StdOut.Split('\n')
                    .Where(l => l.Contains("DLL Name:")).Select(l => l.Split("DLL Name:")[1].Trim()).ToList();
                Assert.Equal(names, PeFile.Read(f).Imports);
            }
    }

    [FactRequires(MinGw)]
    public void MingwDelayLoadLibraryIsNotVisibleToTheLoaderTables()
    {
        // GNU ld links dlltool --output-delaylib stubs without filling data directory 13, so a MinGW delay-load
        // dependency is invisible in the headers (to Windows tools too); MSVC and lld fill it (see RealDelayLoads).
        using var tmp = new TempDir();
        var dll = Mingw(tmp, tmp.File("foo.dll"), "__declspec(dllexport) int foo(void){return 42;}", "-shared", $"-Wl,--output-def,{tmp.File("foo.def")}");
        var res = Requirements.Run("x86_64-w64-mingw32-dlltool", "--input-def", tmp.File("foo.def"), "--dllname", "foo.dll", "--output-delaylib", tmp.File("libfoo_delay.a"));
        Assert.True(res.ExitCode == 0, res.StdErr);
        var bar = Mingw(tmp, tmp.File("bar.dll"), "int foo(void); __declspec(dllexport) int bar(void){return foo();}", "-shared", $"-L{tmp.Path}", "-lfoo_delay");
        var pe = PeFile.Read(bar);
        Assert.True(pe.IsDll);
        Assert.DoesNotContain("foo.dll", pe.Imports);
        Assert.Empty(pe.DelayImports);
    }

    [Fact]
    public void SyntheticDelayLoadsInBothDescriptorLayouts()
    {
        foreach (var old in new[] { false, true })
        {
            var bytes = new PeBuilder { Dll = true, Imports = ["KERNEL32.dll", "python311.dll"], DelayImports = ["USER32.dll", "Api-Ms-Win-Foo.DLL"], OldStyleDelay = old, Pe32Plus = !old, Machine = old ? (ushort)0x14c : (ushort)0x8664, ExportName = "_ssl.pyd" }.Build();
            var pe = PeFile.Read(new MemoryStream(bytes), "_ssl.pyd");
            Assert.Equal(["KERNEL32.dll", "python311.dll"], pe.Imports);
            Assert.Equal(["USER32.dll", "Api-Ms-Win-Foo.DLL"], pe.DelayImports);
            Assert.Equal("_ssl.pyd", pe.ExportName);
            Assert.True(pe.IsDll);
        }
    }

    [Theory]
    [InlineData((ushort)0x14c, false, "x86")]
    [InlineData((ushort)0xaa64, true, "arm64")]
    [InlineData((ushort)0x8664, true, "x64")]
    public void SyntheticMachinesAndOptionalHeaderKinds(ushort machine, bool plus, string name)
    {
        var pe = PeFile.Read(new MemoryStream(new PeBuilder { Machine = machine, Pe32Plus = plus, Subsystem = 2, Imports = ["a.dll"] }.Build()), "x.exe");
        Assert.Equal(name, pe.MachineName);
        Assert.Equal(plus, pe.IsPe32Plus);
        Assert.Equal(PeSubsystem.WindowsGui, pe.Subsystem);
        Assert.Equal(["a.dll"], pe.Imports);
    }

    [FactRequires("glob:" + CodeCoverage + "/amd64/msdia140.dll", "pefile")]
    public void RealMsvcDllsOfThreeMachinesMatchPefile()
    {
        var root = Requirements.Glob(Requirements.Expand(CodeCoverage)).First();
        var files = new[] { "amd64/msdia140.dll", "msdia140.dll", "arm64/msdia140.dll", "amd64/covrun64.dll", "covrun32.dll", "arm64/covrunarm64.dll" }
            .Select(f => Path.Combine(root, f)).Where(File.Exists).ToList();
        Assert.True(files.Count >= 4);
        var machines = new HashSet<string>();
        foreach (var f in files)
        {
            var pe = PeFile.Read(f);
            var o = PefileOracle(f);
            Assert.Equal(o.Machine, pe.Machine);
            Assert.Equal(o.Subsystem, (int)pe.Subsystem);
            Assert.Equal(o.Characteristics, pe.Characteristics);
            Assert.Equal(o.Imports, pe.Imports);
            Assert.Equal(o.Delay, pe.DelayImports);
            Assert.Equal(o.Clr, pe.IsDotNet);
            Assert.True(pe.IsDll);
            machines.Add(pe.MachineName);
        }
        Assert.Equal(["arm64", "x64", "x86"], machines.Order());
    }

    [FactRequires("glob:" + CodeCoverage + "/amd64/msdia140.dll")]
    public void RealDelayLoads()
    {
        var root = Requirements.Glob(Requirements.Expand(CodeCoverage)).First();
        var pe = PeFile.Read(Path.Combine(root, "amd64/msdia140.dll"));
        Assert.Equal(["KERNEL32.dll"], pe.Imports);
        Assert.Equal(["ADVAPI32.dll", "OLEAUT32.dll", "RPCRT4.dll"], pe.DelayImports);
        var info = BinaryInspector.Read(Path.Combine(root, "amd64/msdia140.dll"))!;
        Assert.Equal([NeededKind.Required, NeededKind.Delayed, NeededKind.Delayed, NeededKind.Delayed], info.Needed.Select(n => n.Kind));
        Assert.Equal("msdia140.DLL", info.Name);
    }

    [FactRequires("glob:/usr/share/dotnet/shared/Microsoft.NETCore.App/*/System.Private.CoreLib.dll")]
    public void DotNetAssembliesHaveAClrHeader()
    {
        var dir = Requirements.Glob("/usr/share/dotnet/shared/Microsoft.NETCore.App/*").First();
        var corelib = PeFile.Read(Path.Combine(dir, "System.Private.CoreLib.dll"));
        Assert.True(corelib.IsDotNet);
        Assert.True(corelib.IsDll);
        // ReadyToRun code for Linux: machine 0x8664 ^ 0x7b79.
        Assert.Equal((ushort)0xfd1d, corelib.Machine);
        Assert.Equal("x64", corelib.MachineName);
        Assert.Equal("linux", corelib.ReadyToRunTargetOs);
        Assert.Equal(["mscoree.dll"], corelib.Imports.Count == 0 ? ["mscoree.dll"] : corelib.Imports);

        var facade = Directory.EnumerateFiles(dir, "System.Runtime.dll").Single();
        var f = PeFile.Read(facade);
        Assert.True(f.IsDotNet);
        Assert.Equal("x86", f.MachineName); // IL-only images are PE32 i386
        Assert.Null(f.ReadyToRunTargetOs);
    }

    [FactRequires("glob:~/.nuget/packages/microsoft.netcore.app.host.win-x64/*/runtimes/win-x64/native/apphost.exe")]
    public void WindowsApphostIsAnX64ConsoleExe()
    {
        var path = Requirements.Glob(Requirements.Expand("~/.nuget/packages/microsoft.netcore.app.host.win-x64/*/runtimes/win-x64/native/apphost.exe")).First();
        var pe = PeFile.Read(path);
        Assert.Equal("x64", pe.MachineName);
        Assert.False(pe.IsDll);
        Assert.False(pe.IsDotNet);
        Assert.Equal(PeSubsystem.WindowsConsole, pe.Subsystem);
        Assert.Contains(pe.Imports, i => i.Equals("KERNEL32.dll", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void DosProgramWithoutPeSignatureIsAFormatError()
    {
        var b = new byte[128];
        b[0] = (byte)'M';
        b[1] = (byte)'Z';
        b[0x3c] = 0x40;
        var e = Assert.Throws<BinaryFormatException>(() => PeFile.Read(new MemoryStream(b), "old.exe"));
        Assert.Contains("old.exe", e.Message);
        Assert.Null(BinaryInspector.Identify(new MemoryStream(b)));
    }
}

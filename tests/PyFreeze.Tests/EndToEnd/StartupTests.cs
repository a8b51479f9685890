using PyFreeze.Diagnostics;
using PyFreeze.Emit;
using PyFreeze.Inspect;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd;

/// <summary>
/// The start-up path (issue 14): the NativeAOT bootloader on linux-x64, the lean boot module (a plain script's frozen
/// interpreter imports what <c>python3 -I -S app.py</c> imports plus a named few), <c>PYFREEZE_DEBUG=timing</c>, and the
/// check of a kit given with <c>--bootloader-kit</c>.
/// </summary>
public class StartupTests
{
    /// <summary>What frozen semantics need beyond <c>python3 -I -S app.py</c>: <c>_sitebuiltins</c>, for the
    /// <c>exit</c>/<c>quit</c>/<c>help</c> builtins that <c>site</c> would give (the interpreter runs with <c>-S</c>). The
    /// boot module reads and cleans the bootloader's variables and sets <c>sys._MEIPASS</c>, <c>sys.executable</c> and
    /// <c>sys.path</c> through the built-in <c>posix</c> module, so <c>os</c> (with posixpath, stat and
    /// _collections_abc, ~1.8 ms) is not among them.</summary>
    private static readonly string[] AllowedExtras = ["_sitebuiltins"];

    private static Apps.Built Plain() => Apps.Get("plain", "plain.py", Pythons.Debian);

    [Fact]
    public void Linux_x64_apps_get_the_NativeAOT_bootloader_and_inspect_reads_it()
    {
        var app = Plain();
        Assert.Equal(BootloaderKit.Aot, app.Result.Emit.Bootloader);
        var inspected = AppInspector.Inspect(app.Executable);
        Assert.Equal("aot", inspected.Bootloader);
        Assert.True(inspected.PayloadIntact);
        Assert.Equal(app.Result.Emit.PayloadOffset, inspected.Settings.PayloadOffset);
        Assert.Equal(app.Result.Payload!.Length, inspected.Settings.PayloadLength);
        Assert.Contains(inspected.Files, f => f.Path == "app/plain.pyc");
        Assert.True(app.Result.Emit.BootloaderSize < 4 << 20, $"the bootloader region is {app.Result.Emit.BootloaderSize} bytes");
        // The bootloader's own glibc need (read from its ELF version needs) is part of the floor the app states.
        var need = global::PyFreeze.Binaries.ElfFile.Read(app.Executable).RequiredGlibcVersion;
        Assert.NotNull(need);
        Assert.True(app.Result.GlibcFloor is { } floor && floor.Version >= need, $"floor {app.Result.GlibcFloor}, bootloader needs {need}");
        Assert.Equal(app.Result.GlibcFloor!.Value.Version.ToString(), inspected.Settings.GlibcFloor);
    }

    [Fact]
    public void A_plain_script_imports_only_what_python_does_plus_the_named_extras()
    {
        var app = Plain();
        var box = Apps.NewSandbox();
        var first = box.Run(app.Executable);
        Assert.True(first.ExitCode == 0 && first.StdOut == "plain\n", first.ToString());
        var root = box.Unpacked().Single();
        var settings = AppInspector.Inspect(app.Executable).Settings;
        // The command line the bootloader execs, with -X importtime added.
        var frozen = box.Run(Path.Combine(root, settings.Interpreter),
            [.. settings.PythonOptions, "-X", "importtime", Path.Combine(root, "python", "boot.pyc"), app.Executable]);
        Assert.True(frozen.ExitCode == 0 && frozen.StdOut == "plain\n", frozen.ToString());
        var python = Proc.Exec(Pythons.Debian, ["-I", "-S", "-X", "importtime", Apps.Entry("plain", "plain.py")]);
        Assert.True(python.ExitCode == 0, python.ToString());
        var extras = Imported(frozen.StdErr).Except(Imported(python.StdErr)).Order(StringComparer.Ordinal).ToList();
        Assert.True(extras.All(AllowedExtras.Contains), $"imports beyond python3 -I -S: {string.Join(", ", extras)}");
        Assert.Contains("_sitebuiltins", extras); // the comparison sees the boot module's imports at all
    }

    /// <summary>The module names of <c>-X importtime</c> lines (<c>import time: SELF | CUMULATIVE | NAME</c>).</summary>
    private static HashSet<string> Imported(string stderr) =>
        stderr.Split('\n').Where(l => l.StartsWith("import time:", StringComparison.Ordinal) && !l.Contains("imported package"))
            .Select(l => l.Split('|')[^1].Trim()).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Debug_timing_prints_every_stage_once_and_nothing_when_unset()
    {
        var app = Plain();
        var box = Apps.NewSandbox();
        var quiet = box.Run(app.Executable);
        Assert.True(quiet.ExitCode == 0 && quiet.StdErr.Length == 0, quiet.ToString());
        var run = box.Run(app.Executable, env: new Dictionary<string, string> { ["PYFREEZE_DEBUG"] = "timing" });
        Assert.True(run.ExitCode == 0 && run.StdOut == "plain\n", run.ToString());
        var line = Assert.Single(run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("pyfreeze timing: host start -> bootloader main ", line);
        foreach (var stage in new[] { "-> cache checked ", "-> exec ", "-> interpreter ready ", "-> entry start ", "; total " })
            Assert.Contains(stage, line);
    }

    [Fact]
    public void A_first_run_reports_the_unpack_stages_and_the_peak_memory_before_exec()
    {
        var app = Plain();
        var box = Apps.NewSandbox(); // an empty cache: this run unpacks
        var run = box.Run(app.Executable, env: new Dictionary<string, string> { ["PYFREEZE_DEBUG"] = "timing,memory" });
        Assert.True(run.ExitCode == 0 && run.StdOut == "plain\n", run.ToString());
        var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 3, run.ToString());
        var memory = System.Text.RegularExpressions.Regex.Match(lines[0], @"^pyfreeze memory: bootloader peak RSS (\d+) kB before exec$");
        Assert.True(memory.Success, lines[0]);
        Assert.InRange(long.Parse(memory.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 1000, 1 << 20);
        Assert.Matches(@"^pyfreeze unpack: verify, decode and write [0-9.]+ ms \(\d+ threads\), manifest and marker [0-9.]+ ms, rename and clean-up [0-9.]+ ms$", lines[1]);
        Assert.StartsWith("pyfreeze timing: host start -> bootloader main ", lines[2]);
        var warm = box.Run(app.Executable, env: new Dictionary<string, string> { ["PYFREEZE_DEBUG"] = "memory" });
        Assert.True(warm.ExitCode == 0, warm.ToString());
        Assert.Matches(@"^pyfreeze memory: bootloader peak RSS \d+ kB before exec\n$", warm.StdErr);
    }

    [Fact]
    [Trait("Lane", "Fast")]
    public void A_given_kit_that_does_not_fit_is_refused_in_one_line()
    {
        using var t = new TempDir("kit");
        File.WriteAllBytes(t["bootloader"], [0x7f, (byte)'E', (byte)'L', (byte)'F']);
        var rid = Rid.Parse(Rid.HostName);
        void Kit(string lines) => File.WriteAllText(t["kit.txt"], lines.Replace(';', '\n'));

        Kit($"kind=aot;rid=win-x64;framework={Environment.Version};pyfreeze={BootloaderKit.ToolVersion};host=bootloader");
        Assert.Contains("it is for win-x64", OneLine(() => BootloaderKit.ReadGiven(t.Path, rid)));
        Kit($"kind=aot;rid={rid.Name};framework={Environment.Version};pyfreeze=0.0.1-other;host=bootloader");
        Assert.Contains("made by PyFreeze 0.0.1-other", OneLine(() => BootloaderKit.ReadGiven(t.Path, rid)));
        Kit($"kind=aot;rid={rid.Name};framework=8.0.1;pyfreeze={BootloaderKit.ToolVersion};host=bootloader");
        Assert.Contains("it holds .NET 8.0.1", OneLine(() => BootloaderKit.ReadGiven(t.Path, rid)));
        Kit($"kind=aot;rid={rid.Name};pyfreeze={BootloaderKit.ToolVersion};host=missing");
        Assert.Contains("not a complete bootloader kit", OneLine(() => BootloaderKit.ReadGiven(t.Path, rid)));
        Kit($"kind=aot;rid={rid.Name};framework={Environment.Version};pyfreeze={BootloaderKit.ToolVersion};host=bootloader");
        Assert.True(BootloaderKit.ReadGiven(t.Path, rid).IsAot);
    }

    private static string OneLine(Action act)
    {
        var e = Assert.Throws<PyFreezeException>(act);
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }
}

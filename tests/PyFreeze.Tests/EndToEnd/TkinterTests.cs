using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PyFreeze.Tests.Binaries;
using PyFreeze.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PyFreeze.Tests.EndToEnd;

/// <summary>
/// A frozen Tkinter app (Fixtures/apps/tkapp) run with every Python and every Tcl/Tk of the machine hidden: Tcl alone
/// without a display, and the whole window on a real X server (Xvfb), screenshot analysed pixel by pixel and the
/// button clicked with xdotool.
/// </summary>
[Trait("Roots", "inside")] // also run inside the trixie and sid roots (Python 3.13, 3.14): see DebianRoots
public class TkinterTests(ITestOutputHelper output)
{
    /// <summary>Built as a GUI app is (<c>--windowed</c>: accepted on Linux, the same kind of binary).</summary>
    private static Apps.Built App(string python = Pythons.Debian) => Apps.Get("tkapp", "tkapp.py", python, "windowed", o => o with { Windowed = true });

    /// <summary>Every Tcl/Tk of the machine: Debian's script folders, the libraries and BLT (which _tkinter links).</summary>
    private static List<string> TclTkOfTheMachine()
    {
        var found = new List<string>();
        void Add(string dir, string pattern)
        {
            if (Directory.Exists(dir))
                found.AddRange(Directory.EnumerateFileSystemEntries(dir, pattern).Order(StringComparer.Ordinal));
        }
        Add("/usr/share", "tcltk");
        Add("/usr/share", "tcl8*");
        Add("/usr/share", "tk8*");
        Add("/usr/lib", "tcltk");
        Add("/usr/lib", "tcl8*");
        Add("/usr/lib", "tk8*");
        Add("/usr/lib", "libBLT*");
        foreach (var multiarch in Directory.Exists("/usr/lib") ? Directory.GetDirectories("/usr/lib", "*-linux-gnu") : [])
            foreach (var pattern in new[] { "libtcl*", "libtk*", "tcl8*", "tk8*", "libBLT*" })
                Add(multiarch, pattern);
        return found;
    }

    private static JsonElement LastJson(string stdout) =>
        JsonDocument.Parse(stdout.Split('\n').Last(l => l.StartsWith('{'))).RootElement.Clone();

    [Theory]
    [MemberData(nameof(Pythons.All), MemberType = typeof(Pythons))]
    public void Tcl_alone_reads_the_bundled_library_and_subprocesses_get_the_users_variables_back(string python)
    {
        var app = App(python);
        var box = Apps.NewSandbox();
        var hidden = TclTkOfTheMachine();
        Assert.Contains(hidden, p => p.Contains("libtcl", StringComparison.Ordinal));
        var check = box.Run("/bin/bash", ["-c", "for p; do if [ -d \"$p\" ]; then ls -A \"$p\"; else head -c1 \"$p\" 2>/dev/null; fi; done; echo end", "check", .. hidden],
            hide: hidden);
        Assert.Equal("end", check.StdOut.Trim()); // every folder empty, every library unreadable inside

        var run = box.Run(app.Executable, ["tcl"], env: new Dictionary<string, string> { ["TCL_LIBRARY"] = "/users/own/tcl" }, hide: hidden);
        Assert.True(run.ExitCode == 0, run.ToString());
        var facts = LastJson(run.StdOut);
        Assert.StartsWith(box.CacheDir + "/run/tkapp-", facts.GetProperty("library").GetString());
        Assert.EndsWith("/python/lib/tcl8.6", facts.GetProperty("library").GetString());
        Assert.StartsWith("8.6.", facts.GetProperty("patchlevel").GetString());
        Assert.StartsWith("1.", facts.GetProperty("msgcat").GetString()); // a Tcl module (*.tm) of the library
        Assert.Equal("\u00a3", facts.GetProperty("latin2").GetString()); // Ł in ISO 8859-2: encoding/iso8859-2.enc
        // The user's own TCL_LIBRARY is back in the app's environment and its children's; no TK_LIBRARY appears.
        foreach (var scope in new[] { "environ", "child" })
        {
            Assert.Equal("/users/own/tcl", facts.GetProperty(scope).GetProperty("TCL_LIBRARY").GetString());
            Assert.Equal(JsonValueKind.Null, facts.GetProperty(scope).GetProperty("TK_LIBRARY").ValueKind);
        }
        var report = app.Result.Plan;
        Assert.Contains(report.ScriptLibraries, l => l.Name == "tk8.6" && l.Dest == "python/lib/tk8.6");
        Assert.Contains(report.ExcludedLibraries, l => l.Name == "libX11.so.6" && l.Category == PyFreeze.Binaries.SystemLibraryCategory.DisplayAndGpu);
        Assert.Contains(report.Libraries, l => l.Name == "libtk8.6.so");
        var summary = new StringWriter();
        PyFreeze.Build.BuildReport.WriteSummary(app.Result, summary);
        Assert.Matches(@"left to the system \(display, fonts and GPU, [^)]*\): .*libX11\.so\.6", summary.ToString());
        Assert.Contains("script library tk8.6: ", summary.ToString());
        using var json = new MemoryStream();
        PyFreeze.Build.BuildReport.WriteJson(app.Result, json);
        var excluded = JsonDocument.Parse(json.ToArray()).RootElement.GetProperty("excluded_libraries").EnumerateArray()
            .Single(e => e.GetProperty("name").GetString() == "libXft.so.2");
        Assert.Equal("DisplayAndGpu", excluded.GetProperty("category").GetString());
        Assert.Contains("fontconfig", excluded.GetProperty("reason").GetString());
    }

    [FactRequires("tool:Xvfb", "glob:/usr/lib/python3*/lib-dynload/_tkinter*.so")]
    public void Window_with_label_button_ttk_and_canvas_is_drawn_on_a_real_display_and_the_click_ends_the_app()
    {
        foreach (var tool in new[] { "xdotool", "import", "convert" })
            Assert.True(Requirements.Missing("tool:" + tool) is null, $"{tool} is missing: apt-get install xdotool imagemagick");
        var app = App();
        var box = Apps.NewSandbox();
        using var t = new TempDir("tk");
        using var xvfb = StartXvfb(out var display);
        Process? gui = null;
        try
        {
            gui = box.Start(app.Executable, env: new Dictionary<string, string> { ["DISPLAY"] = display },
                binds: ["/tmp/.X11-unix"], hide: TclTkOfTheMachine());
            var stderr = gui.StandardError.ReadToEndAsync();
            var stdout = new StringBuilder();
            string? line;
            while ((line = ReadLine(gui, TimeSpan.FromSeconds(90))) is not null && !line.StartsWith('{'))
                stdout.AppendLine(line);
            Assert.True(line is not null, $"the app drew no window: {stdout}{(gui.HasExited ? stderr.Result : "")}");
            var facts = JsonDocument.Parse(line).RootElement;
            output.WriteLine(line);
            Assert.Contains("clam", facts.GetProperty("themes").EnumerateArray().Select(e => e.GetString())); // ttk/clamTheme.tcl
            Assert.StartsWith(box.CacheDir, facts.GetProperty("tk_library").GetString());
            Assert.StartsWith(box.CacheDir, facts.GetProperty("late_tk_library").GetString()); // tkinter.Tcl().loadtk()
            Assert.StartsWith(box.CacheDir, facts.GetProperty("tcl_library").GetString());
            foreach (var scope in new[] { "environ", "child" })
                foreach (var name in new[] { "TCL_LIBRARY", "TK_LIBRARY" })
                    Assert.Equal(JsonValueKind.Null, facts.GetProperty(scope).GetProperty(name).ValueKind);

            var ppm = t["screen.ppm"];
            Exec("import", ["-display", display, "-window", "root", "-depth", "8", "ppm:" + ppm]);
            var screen = Ppm.Read(ppm);
            var window = Rect(facts, "window");
            // The X server's background (-br) is black: the window is what is not.
            Assert.True(screen.Count(window, p => p != (0, 0, 0)) > window.Area * 95 / 100, "the window is not on the screen");
            Assert.Equal(0, screen.Count(new Box(window.X + window.W + 10, 0, screen.Width - window.X - window.W - 10, screen.Height), p => p != (0, 0, 0)));
            Assert.True(screen.Count(Rect(facts, "label"), Dark) > 40, "the label has no text");
            Assert.True(screen.Count(Rect(facts, "button"), Dark) > 10, "the button has no text");
            var bar = Rect(facts, "bar");
            Assert.True(screen.Count(bar with { W = bar.W * 6 / 10 }, p => Near(p, (0, 192, 0))) > bar.W * 6 / 10 * bar.H / 2, "the ttk progress bar is not drawn");
            var canvas = Rect(facts, "canvas");
            Assert.True(screen.Count(canvas, p => Near(p, (255, 0, 0))) > 5000, "the canvas rectangle is not drawn");
            Assert.True(screen.Count(canvas, p => Near(p, (0, 0, 255))) > 4000, "the canvas oval is not drawn");

            var png = t["tkinter-frozen.png"];
            Exec("convert", [ppm, "-crop", $"{window.W}x{window.H}+{window.X}+{window.Y}", "+repage", "-strip", png]);
            output.WriteLine($"screenshot: {png}");
            if (Environment.GetEnvironmentVariable("PYFREEZE_SCREENSHOT") is { Length: > 0 } keep)
                File.Copy(png, keep, true);

            var button = Rect(facts, "button");
            Exec("xdotool", ["mousemove", $"{button.X + button.W / 2}", $"{button.Y + button.H / 2}", "click", "1"], display);
            Assert.True(gui.WaitForExit(30_000), "the click did not end the app");
            var rest = gui.StandardOutput.ReadToEnd();
            Assert.True(gui.ExitCode == 0, $"exit {gui.ExitCode}: {rest}{stderr.Result}");
            Assert.Contains("clicked", rest);
        }
        finally
        {
            if (gui is { HasExited: false })
                gui.Kill(true);
            gui?.Dispose();
        }
    }

    private static bool Dark((int R, int G, int B) p) => p.R < 110 && p.G < 110 && p.B < 110;

    private static bool Near((int R, int G, int B) p, (int R, int G, int B) q) =>
        Math.Abs(p.R - q.R) < 40 && Math.Abs(p.G - q.G) < 40 && Math.Abs(p.B - q.B) < 40;

    private static Box Rect(JsonElement facts, string name)
    {
        var a = facts.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return new Box(a[0], a[1], a[2], a[3]);
    }

    private static string? ReadLine(Process p, TimeSpan timeout)
    {
        var task = p.StandardOutput.ReadLineAsync();
        return task.Wait(timeout) ? task.Result : null;
    }

    private static void Exec(string tool, IEnumerable<string> args, string? display = null)
    {
        var run = Proc.Exec(tool, args, env: display is null ? null : new Dictionary<string, string?> { ["DISPLAY"] = display }, timeoutSeconds: 60);
        Assert.True(run.ExitCode == 0, $"{tool}: {run}");
    }

    /// <summary>An X server of our own on a free display (<c>-displayfd</c> picks it), killed on dispose.</summary>
    private static XServer StartXvfb(out string display)
    {
        var psi = new ProcessStartInfo("Xvfb") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-displayfd", "1", "-screen", "0", "640x400x24", "-nolisten", "tcp", "-br" })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        _ = p.StandardError.ReadToEndAsync();
        var number = ReadLine(p, TimeSpan.FromSeconds(30));
        if (number is null || !int.TryParse(number.Trim(), out _))
        {
            p.Kill(true);
            throw new InvalidOperationException("Xvfb did not start");
        }
        display = ":" + number.Trim();
        return new XServer(p);
    }

    private sealed class XServer(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
                process.Kill(true);
            process.WaitForExit(10_000);
            process.Dispose();
        }
    }

    private readonly record struct Box(int X, int Y, int W, int H)
    {
        public int Area => W * H;
    }

    /// <summary>A binary PPM (P6, maxval 255) as ImageMagick writes it.</summary>
    private sealed class Ppm(int width, int height, byte[] pixels)
    {
        public int Width => width;
        public int Height => height;

        public static Ppm Read(string path)
        {
            var bytes = File.ReadAllBytes(path);
            int pos = 0;
            string Token()
            {
                while (char.IsWhiteSpace((char)bytes[pos]) || bytes[pos] == '#')
                {
                    if (bytes[pos] == '#')
                        while (bytes[pos] != '\n') pos++;
                    pos++;
                }
                var start = pos;
                while (!char.IsWhiteSpace((char)bytes[pos])) pos++;
                return Encoding.ASCII.GetString(bytes, start, pos - start);
            }
            Assert.Equal("P6", Token());
            int w = int.Parse(Token()), h = int.Parse(Token());
            Assert.Equal("255", Token());
            pos++; // one whitespace byte ends the header
            Assert.True(bytes.Length - pos >= w * h * 3, "truncated PPM");
            return new Ppm(w, h, bytes[pos..(pos + w * h * 3)]);
        }

        public int Count(Box box, Func<(int R, int G, int B), bool> predicate)
        {
            int n = 0;
            for (int y = Math.Max(0, box.Y); y < Math.Min(height, box.Y + box.H); y++)
                for (int x = Math.Max(0, box.X); x < Math.Min(width, box.X + box.W); x++)
                {
                    var i = (y * width + x) * 3;
                    if (predicate((pixels[i], pixels[i + 1], pixels[i + 2])))
                        n++;
                }
            return n;
        }
    }
}

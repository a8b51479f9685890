using PyFreeze.Tests.Infrastructure;
using static PyFreeze.Tests.EndToEnd.Semantics.SemanticApps;

namespace PyFreeze.Tests.EndToEnd.Semantics;

/// <summary>
/// Where a frozen app thinks it is: <c>__file__</c> of <c>__main__</c> and of modules, <c>sys.executable</c> when the
/// executable is copied under another name, reached through a symlink or through PATH, placed and cached under
/// non-ASCII and long paths, and moved or deleted while it runs (PyInstaller's functional tests are the model).
/// </summary>
[Trait("Roots", "inside")] // also run inside the trixie and sid roots (Python 3.13, 3.14): see DebianRoots
public class ExecutablePathTests
{
    [Fact]
    public void File_of_main_and_of_modules_point_into_the_unpacked_app()
    {
        var app = Core();
        var box = NewSandbox();
        var run = box.Run(app.Executable, ["files"]);
        var v = Ok(run);
        Has(v, "main-file", "semcore.pyc", run);
        Has(v, "main-file-abs", "True");
        Has(v, "main-name", "__main__");
        Has(v, "main-spec", "semcore");
        Has(v, "pkg-file", "sempkg/__init__.pyc");
        Has(v, "sub-file", "sempkg/plugins/alpha.pyc");
        Has(v, "ns-file", "semns/nsmod.pyc");
        Has(v, "ns-path", "['semns']");
        Has(v, "file-relative-data", "hello from sempkg data");
        Has(v, "file-under-meipass", "True");
        Assert.StartsWith(Path.Combine(box.CacheDir, "run", "semcore-"), v["meipass"]);
        Has(v, "executable", app.Executable);
        Has(v, "argv0", app.Executable);
    }

    [Fact]
    public void Renamed_copy_and_symlinks_keep_the_path_they_were_started_by()
    {
        var app = Core();
        using var t = new TempDir("sem-exe");
        var copy = t["renamed-tool"];
        File.Copy(app.Executable, copy);
        File.SetUnixFileMode(copy, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(t["bin"]);
        File.CreateSymbolicLink(t["bin/linked-tool"], app.Executable);
        File.CreateSymbolicLink(t["relative-link"], Path.GetRelativePath(t.Path, copy));
        var box = NewSandbox();
        // Each is run by the path typed, as a user would, and starts a spawn worker through sys.executable.
        var script = "cd \"$1\"; \"$1/renamed-tool\" files --spawn; echo ---; bin/linked-tool files --spawn; echo ---; "
            + "./relative-link files; echo ---; PATH=\"$1/bin:$PATH\" linked-tool files --spawn";
        var run = box.Run("/bin/bash", ["-c", script, "bash", t.Path], binds: [t.Path, Path.GetDirectoryName(app.Executable)!]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var parts = run.StdOut.Split("---\n");
        Assert.Equal(4, parts.Length);
        var expected = new[]
        {
            (copy, copy, true), (t["bin/linked-tool"], "bin/linked-tool", true), (t["relative-link"], "./relative-link", false),
            (t["bin/linked-tool"], "linked-tool", true),
        };
        for (int i = 0; i < 4; i++)
        {
            var v = Values(run with { StdOut = parts[i] });
            var (executable, argv0, spawned) = expected[i];
            Has(v, "executable", executable, run); // as typed (made absolute), never resolved: CPython's sys.executable
            Has(v, "argv0", argv0, run);
            Has(v, "executable-exists", "True", run);
            if (spawned)
                Has(v, "spawn-through-executable", "14", run);
        }
        Assert.Single(box.Unpacked()); // a copy under another name is the same payload: one cache folder
    }

    [Fact]
    public void Non_ascii_and_long_paths_for_the_executable_and_the_cache()
    {
        var app = Core();
        using var t = new TempDir("sem-path");
        var longPart = string.Join('/', Enumerable.Repeat(new string('l', 120), 3));
        var exeDir = Path.Combine(t.Path, "naïve dir ☃ ü", longPart);
        var cacheDir = Path.Combine(t.Path, "cäche ☃ 日本", longPart);
        Directory.CreateDirectory(exeDir);
        Directory.CreateDirectory(cacheDir);
        var exe = Path.Combine(exeDir, "sëmcore ☃");
        File.Copy(app.Executable, exe);
        File.SetUnixFileMode(exe, (UnixFileMode)0b111_101_101);
        Assert.True(exe.Length > 400 && Path.Combine(cacheDir, "run").Length > 400);
        var box = new Sandbox(cacheDir);
        foreach (var locale in new[] { "C.UTF-8", "C" })
        {
            var env = new Dictionary<string, string> { ["LC_ALL"] = locale };
            var run = box.Run(exe, ["files", "--spawn"], env: env);
            var v = Ok(run);
            Has(v, "executable", exe, run);
            Has(v, "file-relative-data", "hello from sempkg data", run);
            Has(v, "spawn-through-executable", "14", run);
            Assert.StartsWith(Path.Combine(cacheDir, "run", "semcore-"), v["meipass"]);
            var res = Ok(box.Run(exe, ["resources"], env: env));
            Has(res, "res-read", "hello from sempkg data");
            Has(res, "get-data", "hello from sempkg data");
        }
        Assert.Single(box.Unpacked());
    }

    [Theory]
    [InlineData("mv")]
    [InlineData("rm")]
    public void Moved_or_deleted_while_running_still_imports_lazily(string action)
    {
        var app = Core();
        using var t = new TempDir("sem-move");
        var exe = t["victim"];
        File.Copy(app.Executable, exe);
        File.SetUnixFileMode(exe, (UnixFileMode)0b111_101_101);
        var script = "\"$1\" lazy /tmp/ready /tmp/go & pid=$!; n=0; while [ ! -s /tmp/ready ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done; "
            + (action == "mv" ? "mv \"$1\" \"$1.moved\"; " : "rm \"$1\"; ")
            + "ls -A \"$(dirname \"$1\")\"; touch /tmp/go; wait $pid; echo \"exit=$?\"";
        var run = NewSandbox().Run("/bin/bash", ["-c", script, "bash", exe], binds: [t.Path]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("exit=0", run.StdOut);
        Assert.DoesNotContain("victim\n", run.StdOut); // it really was gone when the app went on
        var v = Values(run);
        Has(v, "executable-still-exists", "False", run);
        Has(v, "lazy", "lazy-ok", run);
        Has(v, "lazy-data", "hello from sempkg data", run);
        Has(v, "lazy-stdlib", "{\"d\": \"0.3\"}", run);
    }
}

using PyFreeze.Tests.Cli;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cross;

/// <summary>
/// <c>pyfreeze build --target linux-arm64</c> given the wrong thing: a runtime of another architecture (this machine's
/// own x86-64 Debian root) or OS (a Windows CPython folder), an x86-64 site-packages, a runtime whose Python version no
/// host interpreter can compile for. Each stops with one line naming the file and what to do, exit code 2, before any
/// work (no bootloader published, nothing analyzed) and with nothing in dist/. <c>pyfreeze</c> runs in this process
/// (<see cref="CliTests.Pyfreeze"/>), except where the test needs another PATH: then as a process of its own.
/// </summary>
[Collection(nameof(ConsoleAndCurrentFolder))]
public class CrossLinuxArm64BadInputTests
{
    private static readonly string Tool = Path.Combine(AppContext.BaseDirectory, "pyfreeze.dll");

    private static Run Build(TempDir t, IDictionary<string, string?>? env, params string[] args)
    {
        var app = t.Write("app/app.py", "import json\nprint(json.dumps([1]))\n");
        string[] build = ["build", app, "--target", "linux-arm64", "--distpath", t["dist"], "--workpath", t["build"], .. args];
        return env is null ? CliTests.Pyfreeze(t.Path, build) : Proc.Exec("dotnet", [Tool, .. build], cwd: t.Path, env: env, timeoutSeconds: 300);
    }

    private static void AssertRefused(TempDir t, Run run, params string[] expected)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"one line expected on stderr:\n{run.StdErr}");
        Assert.StartsWith("pyfreeze: error: ", lines[0]);
        foreach (var e in expected)
            Assert.Contains(e, lines[0]);
        Assert.DoesNotContain("Publishing the bootloader", run.StdOut + run.StdErr);
        Assert.DoesNotContain("Analyzed", run.StdOut);
        Assert.False(Directory.Exists(t["dist"]) && Directory.EnumerateFileSystemEntries(t["dist"]).Any(), "nothing in dist/ after a refused build");
    }

    [Fact]
    public void A_runtime_of_another_architecture_is_refused()
    {
        // this machine's own root is a Debian CPython 3.11 for x86-64
        using var t = new TempDir("arm-bad");
        var run = Build(t, null, "--runtime", "/", "--python", Pythons.Debian);
        AssertRefused(t, run, "--runtime /: usr/bin/python3.11 is an ELF64 x86_64 executable, not for linux-arm64 (aarch64)", "python3.X-minimal:arm64", "aarch64-unknown-linux-gnu-install_only.tar.gz");
    }

    [Fact]
    public void A_runtime_of_another_OS_is_refused()
    {
        // a CPython for Windows as python.org lays it out: python311.dll (a real PE file) and Lib/
        using var t = new TempDir("arm-bad");
        Directory.CreateDirectory(t["win/python/Lib"]);
        File.Copy(typeof(object).Assembly.Location, t["win/python/python311.dll"]);
        t.Write("win/python/Lib/os.py", "# os\n");
        var run = Build(t, null, "--runtime", t["win"], "--python", Pythons.Debian);
        AssertRefused(t, run, $"--runtime {t["win"]}: is a CPython for Windows (python311.dll), not a CPython for linux-arm64");

        // a macOS-shaped tree whose interpreter is not ELF
        Directory.CreateDirectory(t["mac/python/bin"]);
        Directory.CreateDirectory(t["mac/python/lib/python3.11"]);
        File.WriteAllBytes(t["mac/python/bin/python3.11"], [0xcf, 0xfa, 0xed, 0xfe, 0x0c, 0x00, 0x00, 0x01, .. new byte[24]]);
        t.Write("mac/python/lib/python3.11/os.py", "# os\n");
        run = Build(t, null, "--runtime", t["mac"], "--python", Pythons.Debian);
        AssertRefused(t, run, "python/bin/python3.11 is", "not a Linux CPython for linux-arm64");
    }

    [Fact]
    public void An_x86_64_site_packages_is_refused_by_its_so_files()
    {
        // Debian's python3-numpy for this machine, given as if it were for arm64
        using var t = new TempDir("arm-bad");
        var site = "/usr/lib/python3/dist-packages";
        Assert.True(Directory.Exists(Path.Combine(site, "numpy")), "python3-numpy (amd64) is installed by .ci/run");
        var run = Build(t, null, "--runtime", Arm64Target.Root, "--target-site-packages", site, "--python", Pythons.Debian);
        AssertRefused(t, run, $"--target-site-packages {site}: ", "is an ELF64 x86_64 shared object, not for linux-arm64 (aarch64)", "PACKAGE:arm64");
    }

    [Fact]
    public void A_runtime_whose_python_version_no_host_interpreter_compiles_for_is_refused()
    {
        // Debian's arm64 interpreter presented as CPython 3.14, on a PATH where only Debian's 3.11 is found (no pyenv)
        using var t = new TempDir("arm-bad");
        Directory.CreateDirectory(t["rt/usr/bin"]);
        Directory.CreateDirectory(t["rt/usr/lib/python3.14"]);
        File.Copy(Path.Combine(Arm64Target.Root, "usr", "bin", "python3.11"), t["rt/usr/bin/python3.14"]);
        t.Write("rt/usr/lib/python3.14/os.py", "# os\n");
        var env = new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin", ["PYENV_ROOT"] = t["no-pyenv"], ["HOME"] = t.Path, ["VIRTUAL_ENV"] = null };
        var run = Build(t, env, "--runtime", t["rt"]);
        AssertRefused(t, run, "the linux-arm64 runtime is CPython 3.14", "no CPython 3.14 was found here to compile its bytecode", "/usr/bin/python3 is 3.11");

        // and an explicit --python of another version names both
        run = Build(t, env, "--runtime", t["rt"], "--python", Pythons.Debian);
        AssertRefused(t, run, $"--python {Pythons.Debian} is CPython 3.11", "the linux-arm64 runtime is CPython 3.14");
    }
}

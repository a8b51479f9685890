using System.IO.Compression;
using System.Text.RegularExpressions;
using PyFreeze.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PyFreeze.Tests.Release;

/// <summary>
/// The release artifacts as users get them: <c>./release.sh</c>'s wheel installed by pip into a fresh venv (and by
/// pipx), freezing examples/hello with the .NET SDK hidden and the result run with Python hidden; the .NET tool
/// installed by <c>dotnet tool install</c> and run on a runtime-only DOTNET_ROOT; pip refusing a wrong platform; a
/// damaged kit in the installed package; the outputs' contents, checksums and reproducibility.
/// </summary>
[Collection("release")]
public class ReleasePackagesTests(ReleaseFixture release, ITestOutputHelper output)
{
    private static readonly string[] HelloArgs = ["Ada", "--lang", "fr"];

    [ReleaseFact("sha256sum", "objdump")]
    public void Release_outputs_are_a_valid_wheel_a_tool_package_and_checksums_with_the_same_bytes_twice()
    {
        var names = Directory.GetFiles(release.Out).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        var kitZip = $"pyfreeze-bootloader-kit-linux-x64-{ReleaseFixture.Version}.zip";
        Assert.Equal(new[] { "SHA256SUMS", Path.GetFileName(release.ToolPackage), Path.GetFileName(release.Wheel), kitZip }.Order(StringComparer.Ordinal), names);
        var check = Proc.Exec("sha256sum", ["-c", "--strict", "SHA256SUMS"], cwd: release.Out);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Equal(3, check.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        using (var kit = ZipFile.OpenRead(Path.Combine(release.Out, kitZip)))
            Assert.Contains("linux-x64/kit.txt", kit.Entries.Select(e => e.FullName)); // unzipped: a --bootloader-kit folder
        foreach (var f in names)
            Assert.True(File.ReadAllBytes(Path.Combine(release.Out, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(release.SecondOut, f))), $"{f} differs between two release runs");
        foreach (var f in names)
            output.WriteLine($"{f}: {new FileInfo(Path.Combine(release.Out, f)).Length / 1e6:F1} MB");

        // the wheel, read by CPython's zipfile: every RECORD hash and size right, RECORD last, modes, tags and metadata
        var v = ReleaseFixture.Version;
        var py = Proc.Exec(Pythons.Debian, ["-c", """
            import sys, zipfile, hashlib, base64, csv, io, email
            z = zipfile.ZipFile(sys.argv[1]); v = sys.argv[2]
            names = [i.filename for i in z.infolist()]
            rec = list(csv.reader(io.StringIO(z.read(f"pyfreeze-{v}.dist-info/RECORD").decode())))
            assert names[-1] == f"pyfreeze-{v}.dist-info/RECORD", names[-1]
            assert sorted(r[0] for r in rec) == sorted(names), "RECORD lists every file"
            for path, h, size in rec:
                if path.endswith("RECORD"): assert h == "" and size == ""; continue
                d = z.read(path)
                assert h == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode(), path
                assert int(size) == len(d), path
            modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
            exe = f"pyfreeze-{v}.data/scripts/pyfreeze"
            assert modes[exe] == 0o100755, oct(modes[exe])
            share = f"pyfreeze-{v}.data/data/share/pyfreeze/"
            for n in ("pyfreeze-package.json", "kits/linux-x64/kit.txt", "bootloader-src/bootloader/PyFreeze.Bootloader.csproj"):
                assert share + n in names, n
            assert "pyfreeze/__init__.py" in names and "pyfreeze/__main__.py" in names
            wheel = email.message_from_bytes(z.read(f"pyfreeze-{v}.dist-info/WHEEL"))
            assert wheel["Tag"] == "py3-none-manylinux_2_28_x86_64" and wheel["Root-Is-Purelib"] == "false", dict(wheel)
            meta = email.message_from_bytes(z.read(f"pyfreeze-{v}.dist-info/METADATA"))
            assert meta["Name"] == "pyfreeze" and meta["Version"] == v and meta["License"], dict(meta)
            assert any(u.startswith("Homepage, https://") for u in meta.get_all("Project-URL")), meta.get_all("Project-URL")
            print("ok", len(names))
            """, release.Wheel, v]);
        Assert.True(py.ExitCode == 0 && py.StdOut.StartsWith("ok"), py.ToString());

        // the executable claims manylinux_2_28: it may need no newer glibc symbol version than 2.28
        using var t = new TempDir("rel");
        using (var zip = ZipFile.OpenRead(release.Wheel))
            zip.GetEntry($"pyfreeze-{v}.data/scripts/pyfreeze")!.ExtractToFile(t["pyfreeze"]);
        var dyn = Proc.Exec("objdump", ["-T", t["pyfreeze"]]);
        Assert.True(dyn.ExitCode == 0, dyn.ToString());
        var newest = Regex.Matches(dyn.StdOut, @"GLIBC_2\.(\d+)").Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(0).Max();
        Assert.True(newest <= 28, $"pyfreeze needs GLIBC_2.{newest}, newer than its manylinux_2_28 tag");

        // the tool package: NuGet's tool layout with the kits
        using var tool = ZipFile.OpenRead(release.ToolPackage);
        var entries = tool.Entries.Select(e => e.FullName).ToList();
        foreach (var e in new[] { "pyfreeze.nuspec", "tools/net10.0/any/DotnetToolSettings.xml", "tools/net10.0/any/pyfreeze.dll",
                     "tools/net10.0/any/Microsoft.NET.HostModel.dll", "tools/net10.0/any/pyfreeze-package.json", "tools/net10.0/any/kits/linux-x64/kit.txt" })
            Assert.Contains(e, entries);
        Assert.DoesNotContain(entries, e => e.EndsWith(".pdb", StringComparison.Ordinal));
        var nuspec = new StreamReader(tool.GetEntry("pyfreeze.nuspec")!.Open()).ReadToEnd();
        Assert.Contains("<packageType name=\"DotnetTool\" />", nuspec);
        Assert.Contains($"<version>{v}</version>", nuspec);
    }

    [ReleaseFact]
    public void Wheel_installed_by_pip_freezes_hello_with_the_sdk_hidden_and_the_result_runs_with_python_hidden()
    {
        using var t = new TempDir("wheel");
        var venv = t["venv"];
        Run(Pythons.Debian, "-m", "venv", venv);
        var pip = Proc.Exec(Path.Combine(venv, "bin", "python"), ["-m", "pip", "install", "--no-index", "--disable-pip-version-check", release.Wheel]);
        Assert.True(pip.ExitCode == 0, pip.ToString());
        var exe = Path.Combine(venv, "bin", "pyfreeze");
        Assert.True((File.GetUnixFileMode(exe) & UnixFileMode.UserExecute) != 0, "pip kept the executable bit");
        Assert.StartsWith(ReleaseFixture.Version, Run(exe, "--version").StdOut.Trim());
        Assert.StartsWith(ReleaseFixture.Version, Run(Path.Combine(venv, "bin", "python"), "-m", "pyfreeze", "--version").StdOut.Trim());

        var build = Freeze(t, exe, "dist");
        output.WriteLine($"freeze from the installed wheel, SDK hidden, cold build cache: {build.Elapsed.TotalSeconds:F2} s");
        Assert.DoesNotContain("Publishing", build.StdErr + build.StdOut);
        var run = new Sandbox(t["cache"]).Run(t["dist/hello"], HelloArgs);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Bonjour, Ada", run.StdOut);

        // a damaged, then a missing, kit in the installed package: one line naming the file and how to reinstall
        var kit = Path.Combine(venv, "share", "pyfreeze", "kits", "linux-x64");
        var host = (PyFreeze.Emit.BootloaderKit.Read(kit) ?? throw new InvalidOperationException($"{kit}: no kit in the installed wheel")).Host; // the NativeAOT bootloader (or a single-file host)
        var pristine = File.ReadAllBytes(host);
        File.AppendAllText(host, "x");
        AssertRefused(Freeze(t, exe, "dist-damaged", expectSuccess: false), $"{host}: damaged", t["dist-damaged"]);
        File.WriteAllBytes(host, pristine); // one damage at a time: the check reports the first bad file in the package's list
        File.Delete(Path.Combine(kit, "kit.txt"));
        AssertRefused(Freeze(t, exe, "dist-missing", expectSuccess: false), $"{Path.Combine(kit, "kit.txt")}: missing", t["dist-missing"]);
    }

    /// <summary>A RID whose kit the wheel does not ship, with the SDK hidden: one line naming the kits it has, the
    /// missing SDK and --bootloader-kit; --bootloader-kit is then taken (and a kit of another RID refused).</summary>
    [ReleaseFact("x86_64-w64-mingw32-gcc")]
    public void Cross_rid_without_a_shipped_kit_or_the_sdk_names_the_ways_out()
    {
        using var t = new TempDir("cross");
        using var windows = new PyFreeze.Tests.Cross.WindowsRuntimeFixture();
        Run(Pythons.Debian, "-m", "venv", t["venv"]);
        Run(t["venv/bin/python"], "-m", "pip", "install", "--no-index", "--disable-pip-version-check", release.Wheel);
        var runtime = windows.PbsArchive();
        Run Cross(params string[] extra) => Proc.Exec("bwrap", [.. ReleaseFixture.WithoutSdk(), t["venv/bin/pyfreeze"], "build", Repo.Path_("examples", "hello", "hello.py"),
            "--target", "win-x64", "--runtime", runtime, "--python", Pythons.Debian, "--distpath", t["dist"], "--workpath", t["work"], .. extra],
            cwd: t.Path, env: new Dictionary<string, string?> { ["PYFREEZE_BUILD_CACHE"] = t["build-cache"] }, timeoutSeconds: 600);
        var none = Cross();
        Assert.Equal(2, none.ExitCode);
        var line = Assert.Single(none.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("pyfreeze: error: ", StringComparison.Ordinal));
        Assert.Equal("pyfreeze: error: no bootloader kit for win-x64: this PyFreeze ships bootloader kits for linux-x64; publishing one needs the .NET 10 SDK, " +
            "which was not found (dotnet --list-sdks); install it, or pass --bootloader-kit DIR with a kit published for win-x64", line);
        ZipFile.ExtractToDirectory(Path.Combine(release.Out, $"pyfreeze-bootloader-kit-linux-x64-{ReleaseFixture.Version}.zip"), t["kits"]);
        var wrong = Cross("--bootloader-kit", t["kits/linux-x64"]);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains($"pyfreeze: error: {t["kits/linux-x64"]}: this bootloader kit does not fit: it is for linux-x64, the target is win-x64", wrong.StdErr);
        Assert.False(Directory.Exists(t["dist"]) && Directory.EnumerateFileSystemEntries(t["dist"]).Any());
    }

    [ReleaseFact]
    public void Pip_refuses_the_wheel_on_another_platform()
    {
        using var t = new TempDir("plat");
        Run(Pythons.Debian, "-m", "venv", t["venv"]);
        var wrong = t[Path.GetFileName(release.Wheel).Replace("manylinux_2_28_x86_64", "win_amd64")];
        File.Copy(release.Wheel, wrong);
        var pip = Proc.Exec(t["venv/bin/python"], ["-m", "pip", "install", "--no-index", "--disable-pip-version-check", wrong]);
        Assert.NotEqual(0, pip.ExitCode);
        Assert.Contains("is not a supported wheel on this platform", pip.StdErr);
        Assert.False(File.Exists(t["venv/bin/pyfreeze"]));
    }

    [ReleaseFact("pipx")]
    public void Pipx_installs_the_wheel_offline()
    {
        using var t = new TempDir("pipx");
        var env = new Dictionary<string, string?> { ["PIPX_HOME"] = t["pipx"], ["PIPX_BIN_DIR"] = t["bin"], ["PIP_NO_INDEX"] = "1", ["PIPX_DEFAULT_PYTHON"] = Pythons.Debian };
        var install = Proc.Exec("pipx", ["install", release.Wheel], env: env, timeoutSeconds: 600);
        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.StartsWith(ReleaseFixture.Version, Run(t["bin/pyfreeze"], "--version").StdOut.Trim());
        var build = Freeze(t, t["bin/pyfreeze"], "dist");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("Bonjour, Ada", new Sandbox(t["cache"]).Run(t["dist/hello"], HelloArgs).StdOut);
    }

    [ReleaseFact]
    public void Dotnet_tool_runs_on_a_runtime_only_dotnet_root_and_freezes_hello_without_the_sdk()
    {
        using var t = new TempDir("tool");
        var install = Proc.Exec("dotnet", ["tool", "install", "pyfreeze", "--tool-path", t["tools"], "--add-source", release.Out,
            "--version", ReleaseFixture.Version, "--ignore-failed-sources"], cwd: t.Path, timeoutSeconds: 600);
        Assert.True(install.ExitCode == 0, install.ToString());

        // a runtime-only .NET: the muxer, hostfxr and Microsoft.NETCore.App, nothing of the SDK
        var runtime = t["dotnet-runtime"];
        var root = ReleaseFixture.DotnetRoot;
        Directory.CreateDirectory(Path.Combine(runtime, "shared"));
        Run("cp", "-a", Path.Combine(root, "dotnet"), Path.Combine(root, "host"), runtime);
        Run("cp", "-a", Path.Combine(root, "shared", "Microsoft.NETCore.App"), Path.Combine(runtime, "shared"));
        // DOTNET_ROOT_X64 (set on these machines) wins over DOTNET_ROOT for an x64 host: point both at the runtime
        var env = new Dictionary<string, string?> { ["DOTNET_ROOT"] = runtime, ["DOTNET_ROOT_X64"] = runtime };
        var sdks = Proc.Exec("bwrap", [.. ReleaseFixture.WithoutSdk(), Path.Combine(runtime, "dotnet"), "--list-sdks"], env: env);
        Assert.Equal("", sdks.StdOut.Trim()); // really no SDK
        var version = Proc.Exec("bwrap", [.. ReleaseFixture.WithoutSdk(), t["tools/pyfreeze"], "--version"], env: env);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.StartsWith(ReleaseFixture.Version, version.StdOut.Trim());

        var build = Freeze(t, t["tools/pyfreeze"], "dist", env);
        Assert.True(build.ExitCode == 0, build.ToString());
        var run = new Sandbox(t["cache"]).Run(t["dist/hello"], HelloArgs);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Bonjour, Ada", run.StdOut);
    }

    /// <summary>pyfreeze build examples/hello with the SDK hidden, a fresh build cache and Debian's python3.</summary>
    private static Run Freeze(TempDir t, string pyfreeze, string dist, IDictionary<string, string?>? env = null, bool expectSuccess = true)
    {
        var vars = new Dictionary<string, string?>(env ?? new Dictionary<string, string?>()) { ["PYFREEZE_BUILD_CACHE"] = t["build-cache"] };
        var run = Proc.Exec("bwrap", [.. ReleaseFixture.WithoutSdk(), pyfreeze, "build", Repo.Path_("examples", "hello", "hello.py"),
            "--python", Pythons.Debian, "--distpath", t[dist], "--workpath", t["work"]], cwd: t.Path, env: vars, timeoutSeconds: 600);
        if (expectSuccess)
            Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    private static void AssertRefused(Run run, string expected, string dist)
    {
        Assert.NotEqual(0, run.ExitCode);
        var errors = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("pyfreeze: error: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, run.ToString());
        Assert.True(errors[0].StartsWith("pyfreeze: error: " + expected, StringComparison.Ordinal), $"expected the error to start with {expected}; it is: {errors[0]}");
        Assert.Contains("reinstall PyFreeze: pipx reinstall pyfreeze, or pip install --force-reinstall pyfreeze==" + ReleaseFixture.Version, errors[0]);
        Assert.False(Directory.Exists(dist) && Directory.EnumerateFileSystemEntries(dist).Any(), "nothing in dist/ after a refused build");
    }

    private static Run Run(string file, params string[] args)
    {
        var r = Proc.Exec(file, args, timeoutSeconds: 600);
        Assert.True(r.ExitCode == 0, $"{file} {string.Join(' ', args)}\n{r}");
        return r;
    }
}

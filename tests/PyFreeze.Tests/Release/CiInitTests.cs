using System.Text.RegularExpressions;
using PyFreeze.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace PyFreeze.Tests.Release;

/// <summary>
/// <c>pyfreeze ci init --github/--gitlab</c>: the written YAML parsed with YamlDotNet and checked for what each step
/// needs (runners per RID, the pinned wheel checked against SHA256SUMS, SOURCE_DATE_EPOCH from the commit, a smoke
/// test that can fail, checksums, a release on tags); the refusals; and the GitHub job's shell steps run here, in
/// order, against the wheel ./release.sh made, with the .NET SDK hidden.
/// </summary>
[Collection("release")]
public class CiInitTests(ReleaseFixture release)
{
    private static readonly string Tool = Path.Combine(AppContext.BaseDirectory, "pyfreeze.dll");

    private static Run Pyfreeze(string cwd, params string[] args) => Proc.Exec("dotnet", [Tool, .. args], cwd: cwd, timeoutSeconds: 300);

    private static TempDir App(string pyproject = "")
    {
        var t = new TempDir("ci");
        Proc.Exec("cp", ["-a", Repo.Path_("examples", "hello") + "/.", t.Path]);
        if (pyproject.Length > 0)
            t.Write("pyproject.toml", pyproject);
        return t;
    }

    [Fact]
    public void Github_workflow_has_what_each_step_needs()
    {
        using var t = App("[tool.pyfreeze]\nsmoke = \"Ada --json\"\n");
        var run = Pyfreeze(t.Path, "ci", "init", "--github", "--entry", "hello.py");
        Assert.True(run.ExitCode == 0, run.ToString());
        var text = File.ReadAllText(t[".github/workflows/pyfreeze.yml"]);
        Assert.DoesNotMatch(@"\{\{[A-Z_]+\}\}", text);
        var doc = Yaml.Load(t[".github/workflows/pyfreeze.yml"]);
        Assert.Contains("v*", doc.At("on", "push", "tags").Items().Select(Yaml.Text));
        Assert.Equal(PyFreeze.Emit.InstalledPackage.ThisVersion, doc.At("env", "PYFREEZE_VERSION").Text());

        var build = doc.At("jobs", "build");
        var rows = build.At("strategy", "matrix", "include").Items();
        Assert.Equal(["linux-arm64", "linux-x64", "osx-arm64", "win-x64"], rows.Select(r => r.At("rid").Text()).Order());
        foreach (var row in rows)
        {
            var rid = row.At("rid").Text();
            Assert.Equal(PyFreeze.Release.Wheel.PlatformTag(rid), row.At("wheel").Text()); // the wheel release.sh names for that RID
            Assert.Equal(rid.StartsWith("win", StringComparison.Ordinal) ? ".exe" : "", row.At("exe").Text());
        }
        Assert.Equal("ubuntu-24.04-arm", rows.Single(r => r.At("rid").Text() == "linux-arm64").At("os").Text());
        Assert.Equal("${{ matrix.os }}", build.At("runs-on").Text());

        var steps = build.At("steps").Items();
        foreach (var s in steps)
        {
            Assert.True(s.Get("uses") is not null ^ s.Get("run") is not null, "each step either uses an action or runs a command");
            if (s.Get("uses") is { } uses)
                Assert.Matches(@"^actions/[a-z-]+@v\d+$", uses.Text());
        }
        string Run(string name) => steps.Single(s => s.Get("name")?.Text().StartsWith(name, StringComparison.Ordinal) == true).At("run").Text();
        Assert.Contains("echo \"SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)\" >> \"$GITHUB_ENV\"", Run("SOURCE_DATE_EPOCH"));
        Assert.Contains("pip install -r requirements.txt", Run("Install the app's requirements"));
        var install = Run("Install PyFreeze");
        Assert.Contains("pyfreeze-${PYFREEZE_VERSION}-py3-none-${{ matrix.wheel }}.whl", install);
        Assert.Contains("SHA256SUMS", install);
        Assert.Contains("pipx install", install);
        Assert.Contains("pyfreeze build \"hello.py\" --name \"hello\"", Run("Build"));
        Assert.Contains("--json \"dist/hello-${{ matrix.rid }}.json\"", Run("Build"));
        var smoke = Run("Smoke test");
        Assert.Contains("\"$app\" Ada --json", smoke); // [tool.pyfreeze] smoke
        Assert.DoesNotContain("|| true", text);
        Assert.Contains("SHA256SUMS.${{ matrix.rid }}", Run("Release files"));
        Assert.Equal("release/", steps.Single(s => s.Get("uses")?.Text().StartsWith("actions/upload-artifact", StringComparison.Ordinal) == true).At("with", "path").Text());

        var rel = doc.At("jobs", "release");
        Assert.Equal("build", rel.At("needs").Text());
        Assert.Equal("startsWith(github.ref, 'refs/tags/v')", rel.At("if").Text());
        Assert.Equal("write", rel.At("permissions", "contents").Text());
        var relRuns = string.Join("\n", rel.At("steps").Items().Select(s => s.Get("run")?.Text() ?? ""));
        Assert.Contains("sha256sum -c SHA256SUMS", relRuns);
        Assert.Contains("gh release create \"$GITHUB_REF_NAME\" release/*", relRuns);
    }

    [Fact]
    public void Gitlab_file_has_the_same_jobs()
    {
        using var t = App();
        var run = Pyfreeze(t.Path, "ci", "init", "--gitlab", "--entry", "hello.py", "--smoke", "--help");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotMatch(@"\{\{[A-Z_]+\}\}", File.ReadAllText(t[".gitlab-ci.yml"]));
        var doc = Yaml.Load(t[".gitlab-ci.yml"]);
        Assert.Equal(["build", "release"], doc.At("stages").Items().Select(Yaml.Text));
        var jobs = doc.Keys().Where(k => k.StartsWith("build:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["build:linux-arm64", "build:linux-x64", "build:osx-arm64", "build:win-x64"], jobs.Order());
        foreach (var job in jobs)
        {
            var j = doc.At(job);
            Assert.NotEmpty(j.At("tags").Items());
            Assert.Equal(job["build:".Length..], j.At("variables", "RID").Text());
            Assert.Equal(PyFreeze.Release.Wheel.PlatformTag(job["build:".Length..]), j.At("variables", "WHEEL").Text());
            var script = string.Join("\n", (j.Get("script") ?? doc.At(".build", "script")).Items().Select(Yaml.Text));
            Assert.Contains("SOURCE_DATE_EPOCH", script);
            Assert.Contains("git log -1 --format=%ct", script);
            Assert.Contains("SHA256SUMS", script);
            Assert.Contains("--help", script);
            Assert.Contains("pipx install", script);
        }
        var rel = doc.At("release");
        Assert.Equal("$CI_COMMIT_TAG =~ /^v/", rel.At("rules").Items()[0].At("if").Text());
        Assert.Equal(4, rel.At("needs").Items().Count);
        var links = rel.At("release", "assets", "links").Items().Select(l => l.At("name").Text()).ToList();
        Assert.Equal(9, links.Count);
        Assert.Contains("hello-win-x64.exe", links);
        Assert.Contains("SHA256SUMS", links);
        Assert.Contains("sha256sum -c SHA256SUMS", string.Join("\n", rel.At("script").Items().Select(Yaml.Text)));
    }

    [Fact]
    public void Refuses_to_overwrite_without_force_and_names_bad_input_in_one_line()
    {
        using var t = App();
        Assert.Equal(0, Pyfreeze(t.Path, "ci", "init", "--github", "--gitlab", "--entry", "hello.py").ExitCode);
        var before = File.ReadAllText(t[".gitlab-ci.yml"]);
        AssertOneLine(Pyfreeze(t.Path, "ci", "init", "--gitlab", "--entry", "hello.py", "--smoke", "Ada"), ".gitlab-ci.yml: already exists; pass --force to replace it");
        Assert.Equal(before, File.ReadAllText(t[".gitlab-ci.yml"]));
        Assert.Equal(0, Pyfreeze(t.Path, "ci", "init", "--gitlab", "--entry", "hello.py", "--smoke", "Ada", "--force").ExitCode);
        Assert.Contains("\"$app\" Ada", File.ReadAllText(t[".gitlab-ci.yml"]));

        using var u = App();
        AssertOneLine(Pyfreeze(u.Path, "ci", "init", "--entry", "hello.py"), "ci init: choose a CI system");
        AssertOneLine(Pyfreeze(u.Path, "ci", "init", "--github"), "--entry app.py: no such file here");
        AssertOneLine(Pyfreeze(u.Path, "ci", "init", "--github", "--entry", "hello.py", "--name", "a b"), "--name a b: use letters");
        u.Write("pyproject.toml", "[tool.pyfreeze\nsmoke = 1\n");
        AssertOneLine(Pyfreeze(u.Path, "ci", "init", "--github", "--entry", "hello.py"), "pyproject.toml:1:15: not valid TOML");
        u.Write("pyproject.toml", "[tool.pyfreeze]\nsmoke = 1\n");
        AssertOneLine(Pyfreeze(u.Path, "ci", "init", "--github", "--entry", "hello.py"), "pyproject.toml: [tool.pyfreeze] smoke has the wrong type (expected a string of arguments");
        Assert.False(Directory.Exists(u[".github"]), "nothing written after a refusal");
    }

    /// <summary>The GitHub build job's <c>run</c> steps, in order, with bash as GitHub runs them (<c>-eo pipefail</c>):
    /// <c>uses:</c> steps need a runner and are skipped (a venv of Debian's python3 on PATH stands in for
    /// setup-python), PyFreeze's release is a <c>file://</c> folder holding ./release.sh's wheel and SHA256SUMS, and
    /// the .NET SDK is hidden. Then the release job's checksum step, and a smoke test that fails.</summary>
    [ReleaseFact("pipx", "git", "sha256sum", "curl")]
    public void Github_job_steps_run_here_against_the_released_wheel()
    {
        using var t = App("[tool.pyfreeze]\nsmoke = \"Ada --lang fr\"\n");
        var app = t["app"];
        Directory.CreateDirectory(app);
        Proc.Exec("cp", ["-a", Repo.Path_("examples", "hello") + "/.", app]);
        File.Copy(t["pyproject.toml"], Path.Combine(app, "pyproject.toml"));
        File.WriteAllText(Path.Combine(app, "requirements.txt"), "");
        foreach (var git in new[] { new[] { "init", "-q" }, ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "app"] })
            Assert.Equal(0, Proc.Exec("git", git, cwd: app).ExitCode);
        Assert.Equal(0, Pyfreeze(app, "ci", "init", "--github", "--entry", "hello.py").ExitCode);

        var releases = Releases(t["releases"]);
        var python = t["setup-python"];
        Assert.Equal(0, Proc.Exec(Pythons.Debian, ["-m", "venv", python]).ExitCode);

        var doc = Yaml.Load(Path.Combine(app, ".github", "workflows", "pyfreeze.yml"));
        var matrix = doc.At("jobs", "build", "strategy", "matrix", "include").Items().Single(r => r.At("rid").Text() == "linux-x64");
        var runner = new LocalRunner(app, t["runner"], new Dictionary<string, string>
        {
            ["PYFREEZE_VERSION"] = doc.At("env", "PYFREEZE_VERSION").Text(),
            ["PYFREEZE_RELEASES"] = "file://" + releases,
            ["PYFREEZE_BUILD_CACHE"] = t["build-cache"],
            ["PIP_NO_INDEX"] = "1",
            ["PIPX_HOME"] = t["pipx"],
            ["PIPX_DEFAULT_PYTHON"] = Pythons.Debian,
            ["PATH"] = Path.Combine(python, "bin") + ":" + Environment.GetEnvironmentVariable("PATH"),
        }, matrix);
        var ran = new List<string>();
        foreach (var step in doc.At("jobs", "build", "steps").Items().Where(s => s.Get("run") is not null))
        {
            var r = runner.Step(step);
            Assert.True(r.ExitCode == 0, $"step '{step.Get("name")?.Text()}':\n{r}");
            ran.Add(step.Get("name")!.Text());
        }
        Assert.Equal(["SOURCE_DATE_EPOCH from the commit", "Install the app's requirements", "Install PyFreeze", "Build",
            "Smoke test (its exit code fails the job)", "Release files and their SHA-256"], ran);
        Assert.Matches(@"^\d+$", runner.Env["SOURCE_DATE_EPOCH"]);
        Assert.True(File.Exists(Path.Combine(app, "release", "hello-linux-x64")));
        Assert.True(File.Exists(Path.Combine(app, "release", "hello-linux-x64.json")));

        var sums = doc.At("jobs", "release", "steps").Items().Single(s => s.Get("name")?.Text() == "SHA256SUMS");
        var check = runner.Step(sums);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("hello-linux-x64: OK", check.StdOut);

        // a smoke test that fails fails the step
        Assert.Equal(0, Pyfreeze(app, "ci", "init", "--github", "--entry", "hello.py", "--smoke", "--no-such-option", "--force").ExitCode);
        var failing = Yaml.Load(Path.Combine(app, ".github", "workflows", "pyfreeze.yml")).At("jobs", "build", "steps").Items()
            .Single(s => s.Get("name")?.Text().StartsWith("Smoke test", StringComparison.Ordinal) == true);
        Assert.NotEqual(0, runner.Step(failing).ExitCode);
    }

    /// <summary>The GitLab build job's script (the <c>.build</c> template the Linux jobs extend) run here as GitLab's shell
    /// executor runs it (one bash, stopping at the first failing line), with linux-x64's variables, PyFreeze's release
    /// as a <c>file://</c> folder and the .NET SDK hidden.</summary>
    [ReleaseFact("pipx", "git", "sha256sum", "curl")]
    public void Gitlab_build_script_runs_here_against_the_released_wheel()
    {
        using var t = App("[tool.pyfreeze]\nsmoke = \"Ada --lang fr\"\n");
        foreach (var git in new[] { new[] { "init", "-q" }, ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "app"] })
            Assert.Equal(0, Proc.Exec("git", git, cwd: t.Path).ExitCode);
        Assert.Equal(0, Pyfreeze(t.Path, "ci", "init", "--gitlab", "--entry", "hello.py").ExitCode);
        var releases = Releases(t["releases"]);
        var doc = Yaml.Load(t[".gitlab-ci.yml"]);
        var job = doc.At("build:linux-x64");
        Assert.Equal(".build", job.At("extends").Text());
        var vars = new Dictionary<string, string?>
        {
            ["CI_PROJECT_DIR"] = t.Path,
            ["RID"] = job.At("variables", "RID").Text(),
            ["WHEEL"] = job.At("variables", "WHEEL").Text(),
            ["APP"] = doc.At("variables", "APP").Text(),
            ["PYFREEZE_VERSION"] = doc.At("variables", "PYFREEZE_VERSION").Text(),
            ["PYFREEZE_RELEASES"] = "file://" + releases,
            ["PYFREEZE_BUILD_CACHE"] = t[".pyfreeze-cache"],
            ["PIP_NO_INDEX"] = "1",
            ["PIPX_DEFAULT_PYTHON"] = Pythons.Debian,
            ["PATH"] = "/usr/bin:/bin",
        };
        var script = string.Join("\n", doc.At(".build", "script").Items().Select(Yaml.Text));
        var run = Proc.Exec("bwrap", [.. ReleaseFixture.WithoutSdk(), "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd: t.Path, env: vars, timeoutSeconds: 900);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Bonjour, Ada", run.StdOut);
        var sums = File.ReadAllText(t["release/SHA256SUMS.linux-x64"]);
        Assert.Contains("  hello-linux-x64\n", sums);
        Assert.Contains("  hello-linux-x64.json\n", sums);
        Assert.Equal(0, Proc.Exec("sha256sum", ["-c", "SHA256SUMS.linux-x64"], cwd: t["release"]).ExitCode);
    }

    /// <summary>A folder laid out like PyFreeze's GitHub releases (<c>vVERSION/FILE</c>) holding ./release.sh's wheel and SHA256SUMS.</summary>
    private string Releases(string dir)
    {
        var tag = Path.Combine(dir, "v" + ReleaseFixture.Version);
        Directory.CreateDirectory(tag);
        File.Copy(release.Wheel, Path.Combine(tag, Path.GetFileName(release.Wheel)), overwrite: true);
        File.Copy(Path.Combine(release.Out, "SHA256SUMS"), Path.Combine(tag, "SHA256SUMS"), overwrite: true);
        return dir;
    }

    private static void AssertOneLine(Run run, string expected)
    {
        Assert.True(run.ExitCode != 0, run.ToString());
        var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, run.ToString());
        Assert.StartsWith("pyfreeze: error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }

    /// <summary>Runs a workflow's <c>run</c> steps as a GitHub runner would, as far as a shell can: <c>${{ matrix.K }}</c>,
    /// <c>${{ env.K }}</c> and <c>${{ github.workspace }}</c> filled in, <c>$GITHUB_ENV</c> and <c>$GITHUB_PATH</c>
    /// carried to the next step, bash <c>-eo pipefail</c>, the .NET SDK hidden.</summary>
    private sealed class LocalRunner(string workspace, string runnerDir, Dictionary<string, string> env, YamlNode matrix)
    {
        public Dictionary<string, string> Env { get; } = env;

        public Run Step(YamlNode step)
        {
            Directory.CreateDirectory(Path.Combine(runnerDir, "temp"));
            var envFile = Path.Combine(runnerDir, "github_env");
            var pathFile = Path.Combine(runnerDir, "github_path");
            File.WriteAllText(envFile, "");
            File.WriteAllText(pathFile, "");
            var script = Regex.Replace(step.At("run").Text(), @"\$\{\{\s*([a-z]+)\.([A-Za-z_]+)\s*\}\}", m => m.Groups[1].Value switch
            {
                "matrix" => matrix.At(m.Groups[2].Value).Text(),
                "env" => Env[m.Groups[2].Value],
                "github" when m.Groups[2].Value == "workspace" => workspace,
                var other => throw new InvalidOperationException($"{other}.{m.Groups[2].Value} needs a runner"),
            });
            var vars = Env.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
            vars["GITHUB_ENV"] = envFile;
            vars["GITHUB_PATH"] = pathFile;
            vars["GITHUB_WORKSPACE"] = workspace;
            vars["RUNNER_TEMP"] = Path.Combine(runnerDir, "temp");
            var cwd = step.Get("working-directory")?.Text() is { } wd ? Path.Combine(workspace, wd) : workspace;
            var run = Proc.Exec("bwrap", [.. ReleaseFixture.WithoutSdk(), "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd: Directory.Exists(cwd) ? cwd : workspace, env: vars, timeoutSeconds: 900);
            foreach (var line in File.ReadAllLines(envFile).Where(l => l.Contains('=')))
                Env[line[..line.IndexOf('=')]] = line[(line.IndexOf('=') + 1)..];
            foreach (var line in File.ReadAllLines(pathFile).Where(l => l.Length > 0))
                Env["PATH"] = line + ":" + Env["PATH"];
            return run;
        }
    }
}

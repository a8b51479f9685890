using System.CommandLine;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using PyFreeze.Build;
using PyFreeze.Diagnostics;

namespace PyFreeze.Cli;

/// <summary><c>pyfreeze ci init --github|--gitlab</c>: writes a CI workflow that builds release binaries per RID.</summary>
internal static class CiCommand
{
    public static Command Create()
    {
        var github = new Option<bool>("--github") { Description = $"Write {CiWorkflow.GitHubPath} (GitHub Actions)." };
        var gitlab = new Option<bool>("--gitlab") { Description = $"Write {CiWorkflow.GitLabPath} (GitLab CI)." };
        var entry = new Option<string>("--entry") { Description = "The app's entry script, relative to the repository's root (this folder).", HelpName = "FILE", DefaultValueFactory = _ => "app.py" };
        var name = new Option<string?>("--name", "-n") { Description = "The app's name (default: the entry's file name).", HelpName = "NAME" };
        var python = new Option<string>("--python-version") { Description = "The Python version the runners set up.", HelpName = "X.Y", DefaultValueFactory = _ => "3.11" };
        var smoke = new Option<string?>("--smoke") { Description = "Arguments the smoke test runs the built binary with; its exit code fails the job (default: [tool.pyfreeze] smoke in pyproject.toml, else --version, falling back to --help).", HelpName = "ARGS" };
        var version = new Option<string>("--pyfreeze-version") { Description = "The PyFreeze release the workflow installs.", HelpName = "VERSION", DefaultValueFactory = _ => Emit.InstalledPackage.ThisVersion };
        var repository = new Option<string>("--pyfreeze-repository") { Description = "Where PyFreeze's releases (wheels and SHA256SUMS) are published.", HelpName = "URL", DefaultValueFactory = _ => CiWorkflow.DefaultRepository };
        var force = new Option<bool>("--force") { Description = "Replace an existing workflow file." };
        var init = new Command("init", "Write a CI workflow that builds release binaries on each RID's runner.") { github, gitlab, entry, name, python, smoke, version, repository, force };
        init.SetAction(parse =>
        {
            var targets = new List<string>();
            if (parse.GetValue(github))
                targets.Add(CiWorkflow.GitHubPath);
            if (parse.GetValue(gitlab))
                targets.Add(CiWorkflow.GitLabPath);
            if (targets.Count == 0)
                throw new PyFreezeException("ci init: choose a CI system: --github (GitHub Actions) or --gitlab (GitLab CI)", 2);
            var entryValue = parse.GetValue(entry)!;
            if (!File.Exists(entryValue))
                throw new PyFreezeException($"--entry {entryValue}: no such file here; run ci init at the repository's root, with --entry naming the app's entry script", 2);
            var settings = new CiSettings(
                Entry: entryValue.Replace('\\', '/'),
                Name: parse.GetValue(name) ?? Path.GetFileNameWithoutExtension(entryValue),
                PythonVersion: parse.GetValue(python)!,
                PyFreezeVersion: parse.GetValue(version)!,
                PyFreezeRepository: parse.GetValue(repository)!.TrimEnd('/'),
                Smoke: parse.GetValue(smoke) ?? (File.Exists("pyproject.toml") ? ProjectSettings.Read("pyproject.toml").Smoke : null));
            settings.Validate();
            foreach (var target in targets.Where(File.Exists))
                if (!parse.GetValue(force))
                    throw new PyFreezeException($"{target}: already exists; pass --force to replace it", 1);
            foreach (var target in targets)
            {
                var dir = Path.GetDirectoryName(target);
                if (!string.IsNullOrEmpty(dir))
                    Directory.CreateDirectory(dir);
                var text = target == CiWorkflow.GitHubPath ? CiWorkflow.GitHub(settings) : CiWorkflow.GitLab(settings);
                var tmp = target + ".tmp";
                File.WriteAllText(tmp, text, new UTF8Encoding(false));
                File.Move(tmp, target, overwrite: true);
                Console.WriteLine($"wrote {target}: builds {settings.Name} for linux-x64, linux-arm64, win-x64 and osx-arm64 on their own runners with PyFreeze {settings.PyFreezeVersion}, smoke-tests each binary ({settings.SmokeDescription}) and attaches binaries, SHA256SUMS and build reports to a release on v* tags");
            }
            return 0;
        });
        return new Command("ci", "Set up continuous integration for release binaries.") { init };
    }
}

/// <summary>What a written workflow is made of.</summary>
/// <param name="Entry">The entry script, relative to the repository's root, with <c>/</c>.</param>
/// <param name="Name">The app's name (letters, digits, <c>._-</c>).</param>
/// <param name="PythonVersion">The Python the runners set up (<c>3.11</c>).</param>
/// <param name="PyFreezeVersion">The PyFreeze release installed (its wheel, pinned).</param>
/// <param name="PyFreezeRepository">Where that release's files are (<c>URL/releases/download/vVERSION/FILE</c>).</param>
/// <param name="Smoke">The smoke test's arguments, or null for <c>--version</c>, falling back to <c>--help</c>.</param>
internal sealed record CiSettings(string Entry, string Name, string PythonVersion, string PyFreezeVersion, string PyFreezeRepository, string? Smoke)
{
    /// <summary>How the smoke test runs, for messages.</summary>
    public string SmokeDescription => Smoke is null ? "--version, else --help" : Smoke;

    /// <summary>Checks every value that goes into the YAML.</summary>
    /// <exception cref="PyFreezeException">A value that would break the workflow (exit code 2).</exception>
    public void Validate()
    {
        if (!Regex.IsMatch(Name, "^[A-Za-z0-9][A-Za-z0-9._-]*$"))
            throw new PyFreezeException($"--name {Name}: use letters, digits, '.', '_' and '-' (it names files and release assets)", 2);
        if (!Regex.IsMatch(PythonVersion, @"^3\.\d+$"))
            throw new PyFreezeException($"--python-version {PythonVersion}: give MAJOR.MINOR, e.g. 3.11", 2);
        if (!Regex.IsMatch(PyFreezeVersion, @"^\d+\.\d+\.\d+([.+-][0-9A-Za-z.]+)?$"))
            throw new PyFreezeException($"--pyfreeze-version {PyFreezeVersion}: give a released version, e.g. 0.1.0", 2);
        if (!Regex.IsMatch(PyFreezeRepository, @"^(https?|file)://[^\s""'{}]+$"))
            throw new PyFreezeException($"--pyfreeze-repository {PyFreezeRepository}: give the URL of PyFreeze's repository (https://…)", 2);
        if (Entry.IndexOfAny(['"', '\'', '`', '$', '\n', '\r']) >= 0)
            throw new PyFreezeException($"--entry {Entry}: quotes, '$' and newlines cannot go into a workflow; rename the file", 2);
        if (Smoke is not null && (Smoke.Trim().Length == 0 || Smoke.IndexOfAny(['\n', '\r']) >= 0))
            throw new PyFreezeException("--smoke: give the arguments on one line, e.g. --smoke \"--version\"", 2);
    }
}

/// <summary>
/// The workflows <c>pyfreeze ci init</c> writes, from <c>templates/github-workflow.yml</c> and
/// <c>templates/gitlab-ci.yml</c>: one build job per RID on that RID's own runner (linux-x64, linux-arm64, win-x64,
/// osx-arm64), each installing the PyFreeze wheel of <see cref="CiSettings.PyFreezeVersion"/> after checking it
/// against that release's SHA256SUMS, building with the app's own requirements, smoke-testing the binary (its exit code
/// fails the job) and writing SHA-256 sums; on a <c>v*</c> tag a release job attaches binaries, SHA256SUMS and build
/// reports. SOURCE_DATE_EPOCH is the commit's time (<c>git log -1 --format=%ct</c>).
/// </summary>
internal static class CiWorkflow
{
    /// <summary>Where the GitHub Actions workflow goes.</summary>
    public const string GitHubPath = ".github/workflows/pyfreeze.yml";

    /// <summary>Where the GitLab CI file goes.</summary>
    public const string GitLabPath = ".gitlab-ci.yml";

    /// <summary>The RIDs built, each with its release file's suffix.</summary>
    public static readonly (string Rid, string Exe)[] Rids = [("linux-x64", ""), ("linux-arm64", ""), ("osx-arm64", ""), ("win-x64", ".exe")];

    /// <summary>PyFreeze's repository as this build knows it (Directory.Build.props' RepositoryUrl).</summary>
    public static string DefaultRepository =>
        typeof(CiWorkflow).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "PyFreezeRepositoryUrl")?.Value
        ?? "https://github.com/pyfreeze/pyfreeze";

    /// <summary>The GitHub Actions workflow.</summary>
    public static string GitHub(CiSettings s) => Fill(Template("github-workflow.yml"), s)
        .Replace("{{SMOKE}}", s.Smoke is null
            ? "\"$app\" --version || { echo \"smoke test: --version failed; trying --help\"; \"$app\" --help; }"
            : $"\"$app\" {s.Smoke}");

    /// <summary>The GitLab CI file.</summary>
    public static string GitLab(CiSettings s)
    {
        var links = new StringBuilder();
        var files = Rids.SelectMany(r => new[] { $"{s.Name}-{r.Rid}{r.Exe}", $"{s.Name}-{r.Rid}.json" }).Append("SHA256SUMS");
        foreach (var f in files)
            links.Append($"        - name: \"{f}\"\n          url: \"${{CI_API_V4_URL}}/projects/${{CI_PROJECT_ID}}/packages/generic/{s.Name}/${{CI_COMMIT_TAG}}/{f}\"\n          link_type: package\n");
        return Fill(Template("gitlab-ci.yml"), s)
            .Replace("{{PYTHON_NODOT}}", s.PythonVersion.Replace(".", ""))
            .Replace("{{GITLAB_LINKS}}", links.ToString())
            .Replace("{{SMOKE_POWERSHELL}}", s.Smoke is null
                ? "& \".\\dist\\$env:APP.exe\" --version; if ($LASTEXITCODE) { Write-Output \"smoke test: --version failed; trying --help\"; & \".\\dist\\$env:APP.exe\" --help; if ($LASTEXITCODE) { exit $LASTEXITCODE } }"
                : $"& \".\\dist\\$env:APP.exe\" {s.Smoke}; if ($LASTEXITCODE) {{ exit $LASTEXITCODE }}")
            .Replace("{{SMOKE}}", s.Smoke is null
                ? "\"$app\" --version || { echo \"smoke test: --version failed; trying --help\"; \"$app\" --help; }"
                : $"\"$app\" {s.Smoke}");
    }

    private static string Fill(string template, CiSettings s) => template
        .Replace("{{ENTRY}}", s.Entry)
        .Replace("{{NAME}}", s.Name)
        .Replace("{{PYTHON_VERSION}}", s.PythonVersion)
        .Replace("{{PYFREEZE_VERSION}}", s.PyFreezeVersion)
        .Replace("{{PYFREEZE_REPOSITORY}}", s.PyFreezeRepository);

    private static string Template(string name)
    {
        using var s = typeof(CiWorkflow).Assembly.GetManifestResourceStream("PyFreeze.Templates." + name)
                      ?? throw new InvalidOperationException($"template {name} is missing from the pyfreeze tool");
        using var r = new StreamReader(s);
        return r.ReadToEnd().Replace("\r\n", "\n");
    }
}

using System.CommandLine;
using System.Reflection;
using PyFreeze.Diagnostics;

namespace PyFreeze.Cli;

/// <summary><c>pyfreeze ci init --github</c>: writes a GitHub Actions workflow that builds release binaries per RID.</summary>
internal static class CiCommand
{
    public static Command Create()
    {
        var github = new Option<bool>("--github") { Description = "Write .github/workflows/pyfreeze.yml (GitHub Actions)." };
        var entry = new Option<string>("--entry") { Description = "The app's entry script.", HelpName = "FILE", DefaultValueFactory = _ => "app.py" };
        var name = new Option<string?>("--name", "-n") { Description = "The app's name (default: the entry's file name).", HelpName = "NAME" };
        var python = new Option<string>("--python-version") { Description = "The Python version to set up.", HelpName = "X.Y", DefaultValueFactory = _ => "3.11" };
        var repository = new Option<string>("--pyfreeze-repository") { Description = "Where the workflow fetches PyFreeze from.", HelpName = "URL", DefaultValueFactory = _ => "https://github.com/pyfreeze/pyfreeze" };
        var force = new Option<bool>("--force") { Description = "Replace an existing workflow file." };
        var init = new Command("init", "Write a CI workflow that builds release binaries on each RID's runner.") { github, entry, name, python, repository, force };
        init.SetAction(parse =>
        {
            if (!parse.GetValue(github))
                throw new PyFreezeException("ci init: choose a CI system (only --github so far)", 2);
            var entryValue = parse.GetValue(entry)!;
            var target = Path.Combine(".github", "workflows", "pyfreeze.yml");
            if (File.Exists(target) && !parse.GetValue(force))
                throw new PyFreezeException($"{target}: already exists; pass --force to replace it", 1);
            var text = Template("github-workflow.yml")
                .Replace("{{ENTRY}}", entryValue)
                .Replace("{{NAME}}", parse.GetValue(name) ?? Path.GetFileNameWithoutExtension(entryValue))
                .Replace("{{PYTHON_VERSION}}", parse.GetValue(python)!)
                .Replace("{{PYFREEZE_REPOSITORY}}", parse.GetValue(repository)!);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, text);
            Console.WriteLine($"wrote {target}: builds linux-x64, linux-arm64, win-x64 and osx-arm64 binaries of {entryValue} on tags v* and uploads them as artifacts");
            return 0;
        });
        return new Command("ci", "Set up continuous integration for release binaries.") { init };
    }

    private static string Template(string name)
    {
        using var s = typeof(CiCommand).Assembly.GetManifestResourceStream("PyFreeze.Templates." + name)
                      ?? throw new InvalidOperationException($"template {name} is missing from the pyfreeze tool");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}

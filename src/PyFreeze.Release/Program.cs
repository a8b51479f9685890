using System.CommandLine;

namespace PyFreeze.Release;

/// <summary>
/// <c>pyfreeze-release wheel|tool|kits|sums</c>: assembles release artifacts from what release.sh built (see release.sh for
/// the whole sequence). Exit code 0 on success, 1 with one line on stderr when an input is missing.
/// </summary>
public static class Program
{
    /// <summary>Runs one subcommand.</summary>
    public static int Main(string[] args)
    {
        var version = new Option<string>("--package-version") { Description = "The release's version.", Required = true };
        var url = new Option<string>("--repository-url") { Description = "The project's home (project URLs).", Required = true };
        var license = new Option<string>("--license") { Description = "SPDX license expression.", DefaultValueFactory = _ => "MIT" };
        var epoch = new Option<long>("--source-date-epoch") { Description = "The archives' timestamp (seconds).", Required = true };
        var commit = new Option<string>("--commit") { Description = "The commit built.", DefaultValueFactory = _ => "" };
        var kits = new Option<string>("--kits") { Description = "A folder of bootloader kits, one folder per RID.", Required = true };
        var repo = new Option<string>("--repo") { Description = "The source checkout (for the bootloader's source).", Required = true };
        var output = new Option<string>("--out") { Description = "Where the artifact goes.", Required = true };
        var rid = new Option<string>("--rid") { Description = "The RID of --exe.", Required = true };
        var exe = new Option<string>("--exe") { Description = "The self-contained pyfreeze executable.", Required = true };
        var licenseFiles = new Option<string[]>("--license-file") { Description = "NAME=FILE for .dist-info/licenses (repeatable)." };
        var publish = new Option<string>("--publish-dir") { Description = "The framework-dependent publish of the CLI.", Required = true };

        ReleaseInfo Info(ParseResult p) => new(p.GetValue(version)!, p.GetValue(url)!.TrimEnd('/'), p.GetValue(license)!, p.GetValue(epoch), p.GetValue(commit)!);
        string Tree(ParseResult p, string channel, IReadOnlyCollection<string>? only = null)
        {
            var dir = Path.Combine(p.GetValue(output)!, $".tree-{channel}");
            var rids = PackageTree.Lay(dir, p.GetValue(kits)!, p.GetValue(repo)!, p.GetValue(version)!, channel, only);
            Console.Error.WriteLine($"{channel}: bootloader kits for {string.Join(", ", rids)}");
            return dir;
        }

        var wheel = new Command("wheel", "Write pyfreeze-V-py3-none-PLATFORM.whl.") { version, url, license, epoch, commit, kits, repo, output, rid, exe, licenseFiles };
        wheel.SetAction(p =>
        {
            // the wheel carries its own RID's kit (the .NET tool and the kit archives carry every RID's): a wheel with
            // all four would exceed 60 MB with the self-contained CLI
            var tree = Tree(p, "wheel", [p.GetValue(rid)!]);
            var lic = (p.GetValue(licenseFiles) ?? []).Select(l => l.Split('=', 2)).Select(a => (a[0], a[1])).ToList();
            Console.WriteLine(Wheel.Write(Info(p), p.GetValue(rid)!, p.GetValue(exe)!, tree, lic, p.GetValue(output)!));
            Directory.Delete(tree, true);
            return 0;
        });
        var tool = new Command("tool", "Write pyfreeze.V.nupkg (a .NET tool).") { version, url, license, epoch, commit, kits, repo, output, publish };
        tool.SetAction(p =>
        {
            var tree = Tree(p, "dotnet-tool");
            Console.WriteLine(ToolPackage.Write(Info(p), p.GetValue(publish)!, tree, p.GetValue(output)!));
            Directory.Delete(tree, true);
            return 0;
        });
        var kitArchives = new Command("kits", "Write pyfreeze-bootloader-kit-RID-V.zip for each kit.") { version, url, license, epoch, commit, kits, output };
        kitArchives.SetAction(p =>
        {
            foreach (var path in PackageTree.WriteKitArchives(p.GetValue(kits)!, Info(p), p.GetValue(output)!))
                Console.WriteLine(path);
            return 0;
        });
        var sums = new Command("sums", "Write OUT/SHA256SUMS over the files in OUT.") { output };
        sums.SetAction(p =>
        {
            Console.WriteLine(Sha256Sums.Write(p.GetValue(output)!));
            return 0;
        });
        var root = new RootCommand("Assembles PyFreeze's release artifacts.") { wheel, tool, kitArchives, sums };
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"pyfreeze-release: error: {e.Message}");
            return 1;
        }
    }
}

using System.CommandLine;
using PyFreeze.Cache;

namespace PyFreeze.Cli;

/// <summary><c>pyfreeze cache list|clean</c>.</summary>
internal static class CacheCommand
{
    public static Command Create()
    {
        var list = new Command("list", "List unpacked apps and the build cache, with sizes.");
        list.SetAction(_ =>
        {
            var build = BuildCache.Default();
            var items = CacheManager.List(build);
            Console.WriteLine($"unpacked apps: {CacheManager.RunRoot() ?? "(no cache folder)"}");
            foreach (var i in items.Where(i => i.Kind == "run"))
                Console.WriteLine($"  {i.Bytes / 1048576.0,8:0.0} MB  {i.LastWrite:yyyy-MM-dd HH:mm}  {Path.GetFileName(i.Path)}");
            Console.WriteLine($"build cache: {build.Root}");
            foreach (var i in items.Where(i => i.Kind != "run"))
                Console.WriteLine($"  {i.Bytes / 1048576.0,8:0.0} MB  {i.Kind}");
            return 0;
        });
        var runOnly = new Option<bool>("--run") { Description = "Only unpacked apps." };
        var buildOnly = new Option<bool>("--build") { Description = "Only the build cache." };
        var older = new Option<int?>("--older-than") { Description = "Only what has not changed for DAYS days.", HelpName = "DAYS" };
        var clean = new Command("clean", "Remove unpacked apps and the build cache (a frozen app unpacks again on its next start).") { runOnly, buildOnly, older };
        clean.SetAction(parse =>
        {
            bool run = parse.GetValue(runOnly), build = parse.GetValue(buildOnly);
            if (!run && !build)
                run = build = true;
            var days = parse.GetValue(older);
            var (folders, bytes) = CacheManager.Clean(BuildCache.Default(), run, build, days is null ? null : TimeSpan.FromDays(days.Value));
            Console.WriteLine($"removed {folders} folders, {bytes / 1048576.0:0.0} MB");
            return 0;
        });
        return new Command("cache", "List or clean PyFreeze's caches.") { list, clean };
    }
}

using System.Text;
using PyFreeze.Analyze;
using PyFreeze.Probe;

namespace PyFreeze.Collect;

/// <summary>Settings of the collect stage.</summary>
public sealed class CollectOptions
{
    /// <summary>The app's name (names the interpreter file so <c>ps</c> shows the app).</summary>
    public required string AppName { get; init; }
}

/// <summary>
/// Turns the module graph into payload entries: each module's .pyc at the place CPython's import system will look
/// for it (app and third-party modules under <c>app/</c>, the stdlib under <c>python/lib/pythonX.Y/</c>), extension
/// modules, and the runtime (the real interpreter binary, renamed to the app's name).
/// </summary>
public static class Collector
{
    /// <summary>Modules the frozen runtime itself needs before any app code runs: the codecs of start-up
    /// (Python/pylifecycle.c imports <c>encodings</c>), <c>_sitebuiltins</c> (exit/quit/help, which the boot
    /// module installs because <c>site</c> does not run) and <c>runpy</c> (runs the entry).</summary>
    public static IReadOnlyList<string> RuntimeImports(InterpreterInfo interpreter)
    {
        var list = new List<string> { "encodings", "_sitebuiltins", "runpy", "os" };
        var encodings = Path.Combine(interpreter.Stdlib, "encodings");
        if (Directory.Exists(encodings))
            list.AddRange(Directory.EnumerateFiles(encodings, "*.py")
                .Select(f => Path.GetFileNameWithoutExtension(f))
                .Where(n => n != "__init__")
                .Order(StringComparer.Ordinal)
                .Select(n => "encodings." + n));
        return list;
    }

    /// <summary>The module name the entry script is stored under: its file name made importable, or a reserved
    /// name when that would collide with another module of the app.</summary>
    public static string EntryModuleName(AnalysisResult analysis)
    {
        if (analysis.EntryPackage is not null)
            return analysis.EntryPackage; // runpy runs PACKAGE.__main__
        var stem = Path.GetFileNameWithoutExtension(analysis.EntryScript);
        var sb = new StringBuilder();
        foreach (var c in stem)
            sb.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
        var name = sb.Length == 0 || char.IsDigit(sb[0]) ? "_" + sb : sb.ToString();
        var other = analysis.Graph.Find(name);
        if (other is not null && other.Path != analysis.EntryScript)
            return "__pyfreeze_main__";
        if (analysis.Graph.Modules.Any(m => m.Name.StartsWith(name + ".", StringComparison.Ordinal)))
            return "__pyfreeze_main__";
        return name;
    }

    /// <summary>Collects modules and the runtime for the analyzed app.</summary>
    /// <param name="analysis">The analysis of the app.</param>
    /// <param name="layout">Where runtime parts go.</param>
    /// <param name="options">Collect settings.</param>
    /// <returns>The plan (without shared-library dependencies; see <c>BinaryCollector</c>).</returns>
    public static CollectPlanBuilder Collect(AnalysisResult analysis, RuntimeLayout layout, CollectOptions options)
    {
        var interp = analysis.Interpreter;
        var plan = new CollectPlanBuilder { Interpreter = layout.Interpreter };
        plan.LibraryDirs.Add(layout.Libraries.TrimEnd('/'));

        // The entry, as a module of the app folder.
        plan.EntryModule = EntryModuleName(analysis);
        if (analysis.EntryPackage is null)
            plan.Add(new PayloadEntry
        {
            Dest = layout.App + plan.EntryModule + ".pyc",
            Kind = PayloadEntryKind.Module,
            Source = analysis.EntryScript,
            DisplayName = Path.GetFileName(analysis.EntryScript),
            Category = PayloadCategory.Module,
            Owner = "__main__",
        });

        foreach (var node in analysis.Graph.Modules.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (node.Name == "__main__")
                continue;
            AddModule(plan, node, layout);
        }

        // getpath's landmark: lib/pythonX.Y/os.py[c] must exist even though os is frozen; lib-dynload must exist too.
        if (!plan.Has(layout.Stdlib + "os.pyc"))
        {
            var os = Path.Combine(interp.Stdlib, "os.py");
            plan.Add(new PayloadEntry
            {
                Dest = layout.Stdlib + "os.pyc",
                Kind = File.Exists(os) ? PayloadEntryKind.Module : PayloadEntryKind.Generated,
                Source = File.Exists(os) ? os : null,
                Content = File.Exists(os) ? null : [],
                DisplayName = "os.py",
                Category = PayloadCategory.Stdlib,
                Owner = "os",
            });
        }
        plan.Add(new PayloadEntry { Dest = layout.Dynload, Kind = PayloadEntryKind.Directory, Category = PayloadCategory.Runtime });

        plan.Add(new PayloadEntry
        {
            Dest = layout.Interpreter,
            Kind = PayloadEntryKind.Binary,
            Source = interp.RealExecutable,
            Executable = true,
            Category = PayloadCategory.Runtime,
            Owner = "python",
        });
        return plan;
    }

    private static void AddModule(CollectPlanBuilder plan, ModuleNode node, RuntimeLayout layout)
    {
        if (node.Kind is ModuleKind.Builtin or ModuleKind.Frozen or ModuleKind.Missing or ModuleKind.Alias)
            return;
        var baseDest = node.Origin switch
        {
            ModuleOrigin.Stdlib => layout.Stdlib,
            ModuleOrigin.LibDynload => layout.Dynload,
            _ => layout.App,
        };
        var category = node.Origin is ModuleOrigin.Stdlib or ModuleOrigin.LibDynload ? PayloadCategory.Stdlib : PayloadCategory.Module;
        if (node.Kind == ModuleKind.Namespace)
        {
            foreach (var portion in node.SearchLocations)
            {
                var rel = RelativeTo(node.SearchRoot, portion);
                if (rel is not null)
                    plan.Add(new PayloadEntry { Dest = baseDest + rel + "/", Kind = PayloadEntryKind.Directory, Category = category, Owner = node.TopLevel });
            }
            return;
        }
        if (node.Path is null)
            return;
        var relPath = RelativeTo(node.SearchRoot, node.Path);
        if (relPath is null)
            return;
        if (node.Kind == ModuleKind.Extension)
        {
            plan.Add(new PayloadEntry
            {
                Dest = baseDest + relPath,
                Kind = PayloadEntryKind.Binary,
                Source = node.Path,
                Category = PayloadCategory.Extension,
                Owner = node.TopLevel,
                Module = node.Name,
            });
            return;
        }
        if (relPath.EndsWith(".pyc", StringComparison.Ordinal))
        {
            plan.Add(new PayloadEntry { Dest = baseDest + relPath, Kind = PayloadEntryKind.File, Source = node.Path, Category = category, Owner = node.TopLevel, Module = node.Name });
            return;
        }
        var stem = relPath[..relPath.LastIndexOf('.')];
        plan.Add(new PayloadEntry
        {
            Dest = baseDest + stem + ".pyc",
            Kind = PayloadEntryKind.Module,
            Source = node.Path,
            DisplayName = relPath,
            Category = category,
            Owner = node.TopLevel,
            Module = node.Name,
        });
    }

    /// <summary>The <c>/</c>-separated path of <paramref name="path"/> below <paramref name="root"/>, or null when it is not below.</summary>
    public static string? RelativeTo(string? root, string path)
    {
        if (root is null)
            return null;
        var rel = Path.GetRelativePath(root, path);
        if (rel.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(rel))
            return null;
        return rel.Replace(Path.DirectorySeparatorChar, '/');
    }
}

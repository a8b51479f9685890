using System.Text;
using PyFreeze.Analyze;
using PyFreeze.Probe;

namespace PyFreeze.Collect;

/// <summary>Settings of the collect stage.</summary>
public sealed class CollectOptions
{
    /// <summary>The app's name (names the interpreter file so <c>ps</c> shows the app).</summary>
    public required string AppName { get; init; }

    /// <summary><c>--include-source</c>: app and third-party modules ship their <c>.py</c> with the bytecode in
    /// <c>__pycache__</c> (see <see cref="Collector.BytecodeDest"/>); false: a sourceless <c>.pyc</c> in the module's
    /// place.</summary>
    public bool IncludeSource { get; init; }

    /// <summary>A collected package's hook asks for the standard library's source (<see cref="PyFreeze.Hooks.Hook.StdlibSource"/>):
    /// each stdlib source module ships its <c>.py</c> with the bytecode in <c>__pycache__</c> (the <c>--include-source</c>
    /// layout), and each frozen stdlib module (<c>os</c>, <c>codecs</c>, run from the interpreter's frozen copy) its
    /// <c>.py</c> alone, where <c>sys._stdlib_dir</c> names it.</summary>
    public bool StdlibSource { get; init; }

    /// <summary>The optimization level the app runs with (0, 1 or 2): names the <c>__pycache__</c> file
    /// (<c>.opt-1</c>, <c>.opt-2</c>) CPython looks for under <c>-O</c>/<c>-OO</c>.</summary>
    public int Optimize { get; init; }
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
        var source = options.IncludeSource ? new SourceLayout(interp.CacheTag, options.Optimize) : null;
        var stdlibSource = options.StdlibSource ? new SourceLayout(interp.CacheTag, options.Optimize) : null;
        if (analysis.EntryPackage is null)
            AddCompiled(plan, source, layout.App + plan.EntryModule, new PayloadEntry
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
            AddModule(plan, node, layout, node.Origin == ModuleOrigin.Stdlib ? stdlibSource : source);
            if (stdlibSource is not null && node.Kind == ModuleKind.Frozen && node.Path is not null && node.Path.EndsWith(".py", StringComparison.Ordinal)
                && RelativeTo(interp.Stdlib, node.Path) is { } frozenRel)
                plan.Add(new PayloadEntry
                {
                    Dest = layout.Stdlib + frozenRel, Kind = PayloadEntryKind.File, Source = node.Path, Category = PayloadCategory.Stdlib,
                    Owner = node.TopLevel,
                });
        }

        // getpath's landmark: lib/pythonX.Y/os.py[c] must exist even though os is frozen; lib-dynload must exist too.
        if (!plan.Has(layout.Stdlib + "os.pyc") && !plan.Has(layout.Stdlib + "os.py"))
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

    /// <summary>Where <c>--include-source</c> puts bytecode: CPython's cache tag and the optimization level.</summary>
    private sealed record SourceLayout(string CacheTag, int Optimize);

    /// <summary>The payload path of a module's bytecode when its source ships beside it: where
    /// <c>importlib.util.cache_from_source</c> looks (PEP 3147, PEP 488), e.g. <c>app/pkg/__pycache__/mod.cpython-311.pyc</c>
    /// (<c>.opt-1.pyc</c> under <c>-O</c>, <c>.opt-2.pyc</c> under <c>-OO</c>). The .pyc is unchecked-hash (PEP 552), so
    /// SourceFileLoader loads it without reading the source's stamp, never compiles, and (with <c>-B</c>) never writes.</summary>
    /// <param name="stem">The module's path without suffix, e.g. <c>app/pkg/mod</c>.</param>
    /// <param name="cacheTag"><c>sys.implementation.cache_tag</c>.</param>
    /// <param name="optimize">0, 1 or 2.</param>
    public static string BytecodeDest(string stem, string cacheTag, int optimize)
    {
        var slash = stem.LastIndexOf('/');
        var opt = optimize > 0 ? $".opt-{optimize}" : "";
        return $"{stem[..(slash + 1)]}__pycache__/{stem[(slash + 1)..]}.{cacheTag}{opt}.pyc";
    }

    /// <summary>Adds a module to compile: its sourceless .pyc at <c>STEM.pyc</c>, or with <c>--include-source</c> (an app or
    /// third-party module) or <see cref="CollectOptions.StdlibSource"/> (a stdlib module) the .py at <c>STEM.py</c> and its
    /// bytecode in <c>__pycache__</c>.</summary>
    private static void AddCompiled(CollectPlanBuilder plan, SourceLayout? source, string stem, PayloadEntry module)
    {
        if (source is null || module.Category is not (PayloadCategory.Module or PayloadCategory.Stdlib) || module.Source is null)
        {
            plan.Add(module);
            return;
        }
        var pyc = BytecodeDest(stem, source.CacheTag, source.Optimize);
        plan.Add(new PayloadEntry
        {
            Dest = pyc, Kind = PayloadEntryKind.Module, Source = module.Source, DisplayName = module.DisplayName,
            Category = module.Category, Owner = module.Owner, Module = module.Module,
        });
        plan.Add(new PayloadEntry
        {
            Dest = stem + ".py", Kind = PayloadEntryKind.File, Source = module.Source, SourceOf = pyc,
            Category = module.Category, Owner = module.Owner,
        });
    }

    private static void AddModule(CollectPlanBuilder plan, ModuleNode node, RuntimeLayout layout, SourceLayout? source)
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
        AddCompiled(plan, source, baseDest + stem, new PayloadEntry
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

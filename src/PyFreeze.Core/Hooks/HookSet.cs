using System.Reflection;
using PyFreeze.Diagnostics;

namespace PyFreeze.Hooks;

/// <summary>
/// The hooks of a build: PyFreeze's built-in ones (embedded <c>Hooks/builtin/*.json</c>) and the user's
/// (<c>--additional-hooks-dir</c>); a user hook replaces the built-in hook of the same package, as in PyInstaller.
/// </summary>
public sealed class HookSet
{
    private const string ResourcePrefix = "PyFreeze.Hooks.";
    private readonly Dictionary<string, Hook> _hooks = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, string Target)> _aliases = [];

    /// <summary>All hooks, by package.</summary>
    public IReadOnlyCollection<Hook> All => _hooks.Values;

    /// <summary>A set with no hooks.</summary>
    public static HookSet Empty { get; } = new();

    /// <summary>Loads the built-in hooks and those in <paramref name="userDirs"/>.</summary>
    /// <param name="userDirs">Folders of <c>PACKAGE.json</c> hook files.</param>
    /// <param name="builtin">Load the built-in hooks (default).</param>
    /// <exception cref="PyFreezeException">A folder does not exist, or a hook does not parse.</exception>
    public static HookSet Load(IEnumerable<string> userDirs, bool builtin = true)
    {
        var set = new HookSet();
        if (builtin)
        {
            var asm = typeof(HookSet).Assembly;
            foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                var package = name[ResourcePrefix.Length..^".json".Length];
                using var s = asm.GetManifestResourceStream(name)!;
                using var r = new StreamReader(s);
                set.Add(Hook.Parse(package, r.ReadToEnd(), $"<built-in hook {package}.json>", null));
            }
        }
        foreach (var dir in userDirs)
        {
            if (!Directory.Exists(dir))
                throw new PyFreezeException($"--additional-hooks-dir {dir}: no such folder", 2);
            foreach (var file in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
            {
                string text;
                try
                {
                    text = File.ReadAllText(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new PyFreezeException($"{file}: cannot read the hook ({e.Message})", 1, e);
                }
                set.Add(Hook.Parse(Path.GetFileNameWithoutExtension(file), text, file, Path.GetFullPath(dir)));
            }
        }
        return set;
    }

    /// <summary>Adds (or replaces) the hook of its package.</summary>
    public void Add(Hook hook)
    {
        _hooks[hook.Package] = hook;
        _aliases.RemoveAll(a => a.Prefix.Split('.')[0] == hook.Package);
        foreach (var (k, v) in hook.Aliases)
            _aliases.Add((k, v));
        _aliases.Sort((a, b) => b.Prefix.Length.CompareTo(a.Prefix.Length));
    }

    /// <summary>The hooks whose <c>when</c> holds for <paramref name="target"/> (the others are left out).</summary>
    public HookSet Applying(HookTarget target)
    {
        var set = new HookSet();
        foreach (var hook in _hooks.Values.OrderBy(h => h.Package, StringComparer.Ordinal))
            if (hook.Applies(target))
                set.Add(hook);
        return set;
    }

    /// <summary>True when <paramref name="topLevel"/>'s hook marks it a developer tool (<see cref="Hook.DeveloperTool"/>).</summary>
    public bool IsDeveloperTool(string topLevel) => For(topLevel)?.DeveloperTool == true;

    /// <summary>True when <paramref name="importer"/>'s hook lists <paramref name="imported"/> among its side imports
    /// (<see cref="Hook.ModuleSideImports"/>).</summary>
    public bool IsSideImport(string importer, string imported) =>
        For(importer.Split('.')[0]) is { } hook && hook.ModuleSideImports.TryGetValue(importer, out var side) && side.Contains(imported);

    /// <summary>The hook of a top-level package, or null.</summary>
    public Hook? For(string topLevel) => _hooks.GetValueOrDefault(topLevel);

    /// <summary>True when an import of <paramref name="imported"/> made by module <paramref name="importer"/> is excluded by
    /// the importer's package hook (<c>excluded_imports</c>). An importer inside the excluded name itself is not held back
    /// (as in PyInstaller's excludedimports): once the app reached <c>numpy.f2py</c> (Debian's /usr/bin/f2py imports it),
    /// <c>numpy.f2py.f2py2e</c>'s <c>from . import crackfortran</c> is followed.</summary>
    public bool IsExcludedImport(string importer, string imported)
    {
        var hook = For(importer.Split('.')[0]);
        if (hook is null)
            return false;
        foreach (var e in hook.ExcludedImports)
            if (Within(imported, e) && !Within(importer, e))
                return true;
        return false;
    }

    /// <summary>True when module <paramref name="name"/> is <paramref name="package"/> or one of its submodules.</summary>
    private static bool Within(string name, string package) =>
        name == package || name.StartsWith(package + ".", StringComparison.Ordinal);

    /// <summary>Hidden imports that come with collecting <paramref name="module"/>, each flagged optional or not.</summary>
    public IEnumerable<(string Module, bool Optional)> HiddenImportsFor(string module)
    {
        var hook = For(module.Split('.')[0]);
        if (hook is null)
            yield break;
        if (hook.Package == module)
        {
            foreach (var h in hook.HiddenImports)
                yield return (h, false);
            foreach (var h in hook.OptionalHiddenImports)
                yield return (h, true);
        }
        if (hook.ModuleHiddenImports.TryGetValue(module, out var extra))
            foreach (var h in extra)
                yield return (h, false);
    }

    /// <summary>The module a name below an alias prefix stands for (longest prefix wins), or null. The prefix itself stays
    /// a real module: it is the package whose meta-path importer does the mapping at run time (setuptools' VendorImporter).</summary>
    public string? AliasFor(string module)
    {
        foreach (var (prefix, target) in _aliases)
            if (module.StartsWith(prefix + ".", StringComparison.Ordinal))
                return target + module[prefix.Length..];
        return null;
    }

    /// <summary>The source of a runtime hook named by <paramref name="hook"/>.</summary>
    /// <exception cref="PyFreezeException">The file is missing.</exception>
    public static string ReadRuntimeHook(Hook hook, string name)
    {
        if (hook.Directory is null)
        {
            using var s = typeof(HookSet).Assembly.GetManifestResourceStream("PyFreeze." + name)
                          ?? throw new InvalidOperationException($"built-in runtime hook {name} is missing from PyFreeze.Core");
            using var r = new StreamReader(s);
            return r.ReadToEnd();
        }
        var path = Path.Combine(hook.Directory, name);
        if (!File.Exists(path))
            throw new PyFreezeException($"{hook.Source}: runtime hook {name} not found in {hook.Directory}");
        return File.ReadAllText(path);
    }
}

using System.Collections.Concurrent;
using System.IO.Enumeration;

namespace PyFreeze.Analyze;

/// <summary>Where a module was found on the search path.</summary>
/// <param name="Kind">Source, Package, Namespace or Extension.</param>
/// <param name="Path">The file to load (<c>__init__.py</c> for a package); null for a namespace package.</param>
/// <param name="SearchLocations">The package's <c>__path__</c>; empty for a plain module.</param>
/// <param name="Root">The search location (folder) it was found in.</param>
public sealed record ModuleLocation(ModuleKind Kind, string? Path, IReadOnlyList<string> SearchLocations, string Root);

/// <summary>
/// Finds modules in folders the way CPython's <c>PathFinder</c> and <c>FileFinder</c> do
/// (Lib/importlib/_bootstrap_external.py): for each location in order, a folder named like the module with an
/// <c>__init__</c> file (tried with each loader suffix) is a regular package; otherwise a file named like the
/// module with a loader suffix (extension suffixes first, then source, then bytecode) is a module; a folder
/// without <c>__init__</c> is remembered as a namespace portion, and the portions become a namespace package
/// (PEP 420) when no location has a regular module or package. Folder listings are cached, like FileFinder's
/// path cache. Thread-safe.
/// </summary>
public sealed class PathFinder
{
    private readonly (string Suffix, ModuleKind Kind)[] _loaders;
    private readonly ConcurrentDictionary<string, Listing?> _listings = new(StringComparer.Ordinal);

    /// <summary>Creates a finder with the interpreter's suffixes.</summary>
    /// <param name="extensionSuffixes"><c>importlib.machinery.EXTENSION_SUFFIXES</c>, in order.</param>
    /// <param name="sourceSuffixes"><c>SOURCE_SUFFIXES</c> (".py").</param>
    /// <param name="bytecodeSuffixes"><c>BYTECODE_SUFFIXES</c> (".pyc").</param>
    public PathFinder(IEnumerable<string> extensionSuffixes, IEnumerable<string> sourceSuffixes, IEnumerable<string> bytecodeSuffixes)
    {
        _loaders = extensionSuffixes.Select(s => (s, ModuleKind.Extension))
            .Concat(sourceSuffixes.Select(s => (s, ModuleKind.Source)))
            .Concat(bytecodeSuffixes.Select(s => (s, ModuleKind.Source)))
            .ToArray();
    }

    /// <summary>The loader suffixes in the order they are tried.</summary>
    public IReadOnlyList<(string Suffix, ModuleKind Kind)> Loaders => _loaders;

    private sealed class Listing(HashSet<string> files, HashSet<string> dirs)
    {
        public HashSet<string> Files { get; } = files;
        public HashSet<string> Dirs { get; } = dirs;
    }

    private Listing? List(string dir) => _listings.GetOrAdd(dir, static d =>
    {
        if (!Directory.Exists(d))
            return null;
        var files = new HashSet<string>(StringComparer.Ordinal);
        var dirs = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var e = new FileSystemEnumerable<(string, bool)>(d, (ref FileSystemEntry x) => (x.FileName.ToString(), x.IsDirectory),
                new EnumerationOptions { IgnoreInaccessible = true, RecurseSubdirectories = false, AttributesToSkip = 0 });
            foreach (var (name, isDir) in e)
            {
                if (isDir)
                    dirs.Add(name);
                else if (Directory.Exists(Path.Combine(d, name)))
                    dirs.Add(name); // a symlink to a folder
                else
                    files.Add(name);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return new Listing(files, dirs);
    });

    /// <summary>True when <paramref name="dir"/> lists a file named <paramref name="name"/> (cached).</summary>
    public bool HasFile(string dir, string name) => List(dir)?.Files.Contains(name) == true;

    /// <summary>The file names in a folder (cached); empty when it does not exist.</summary>
    public IEnumerable<string> FilesIn(string dir) => List(dir)?.Files ?? Enumerable.Empty<string>();

    /// <summary>The subfolder names in a folder (cached); empty when it does not exist.</summary>
    public IEnumerable<string> DirsIn(string dir) => List(dir)?.Dirs ?? Enumerable.Empty<string>();

    /// <summary>Finds the module whose last name part is <paramref name="tail"/> in <paramref name="locations"/>.</summary>
    /// <param name="tail">The last part of the dotted name (<c>c</c> for <c>a.b.c</c>).</param>
    /// <param name="locations"><c>sys.path</c> for a top-level module, the parent's <c>__path__</c> otherwise.</param>
    /// <returns>The location, or null when nothing is found.</returns>
    public ModuleLocation? Find(string tail, IReadOnlyList<string> locations)
    {
        List<string>? portions = null;
        string? firstPortionRoot = null;
        foreach (var loc in locations)
        {
            var listing = List(loc);
            if (listing is null)
                continue;
            bool isNamespace = false;
            if (listing.Dirs.Contains(tail))
            {
                var pkgDir = Path.Combine(loc, tail);
                var inner = List(pkgDir);
                if (inner is not null)
                {
                    foreach (var (suffix, kind) in _loaders)
                    {
                        if (inner.Files.Contains("__init__" + suffix))
                            return new ModuleLocation(kind == ModuleKind.Extension ? ModuleKind.Extension : ModuleKind.Package,
                                Path.Combine(pkgDir, "__init__" + suffix), [pkgDir], loc);
                    }
                    isNamespace = true;
                }
            }
            foreach (var (suffix, kind) in _loaders)
            {
                if (listing.Files.Contains(tail + suffix))
                    return new ModuleLocation(kind, Path.Combine(loc, tail + suffix), [], loc);
            }
            if (isNamespace)
            {
                (portions ??= []).Add(Path.Combine(loc, tail));
                firstPortionRoot ??= loc;
            }
        }
        return portions is null ? null : new ModuleLocation(ModuleKind.Namespace, null, portions, firstPortionRoot!);
    }
}

using System.Buffers.Binary;
using System.Text;
using PyFreeze.Analyze;
using PyFreeze.Analyze.Scanning;
using PyFreeze.Binaries;

namespace PyFreeze.Collect;

/// <summary>What a GObject typelib's header says (gobject-introspection's girepository/gitypelib.h, struct
/// <c>Header</c>: after the 16-byte magic <c>GOBJ\nMETADATA\r\n\x1a</c>, major and minor version bytes, 2 reserved bytes,
/// n_entries, n_local_entries (16-bit), then 32-bit little-endian offsets: directory, n_attributes, attributes,
/// dependencies (offset 36), size, namespace, nsversion, shared_library (offset 52); a string offset of 0 means none).</summary>
/// <param name="Namespace">The namespace (<c>Gio</c>).</param>
/// <param name="Version">Its version (<c>2.0</c>).</param>
/// <param name="Dependencies">Typelibs it needs, as <c>NAMESPACE-VERSION</c> (the header's <c>|</c>-separated list).</param>
/// <param name="SharedLibraries">Shared libraries its functions live in (the header's <c>,</c>-separated list), which
/// libgirepository opens with <c>g_module_open</c>.</param>
public sealed record TypelibHeader(string Namespace, string Version, IReadOnlyList<string> Dependencies, IReadOnlyList<string> SharedLibraries)
{
    private static readonly byte[] Magic = "GOBJ\nMETADATA\r\n\u001a"u8.ToArray();

    /// <summary>Reads the header of a typelib file's bytes.</summary>
    /// <exception cref="InvalidDataException">Not a typelib (wrong magic, too short, an offset outside the file).</exception>
    public static TypelibHeader Read(ReadOnlySpan<byte> data)
    {
        if (data.Length < 60 || !data[..16].SequenceEqual(Magic))
            throw new InvalidDataException("not a GObject typelib (no GOBJ METADATA magic)");
        return new TypelibHeader(At(data, 44) ?? "", At(data, 48) ?? "", Split(At(data, 36), '|'), Split(At(data, 52), ','));
    }

    private static IReadOnlyList<string> Split(string? s, char c) => s is null ? [] : s.Split(c, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? At(ReadOnlySpan<byte> data, int field)
    {
        {
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(data[field..]);
            if (offset == 0)
                return null;
            if (offset >= data.Length)
                throw new InvalidDataException($"string offset {offset} outside the file");
            var rest = data[(int)offset..];
            var end = rest.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]);
        }
    }
}

/// <summary>
/// GObject typelibs for PyGObject (<c>gi</c>): <c>from gi.repository import Gio</c> loads
/// <c>girepository-1.0/Gio-2.0.typelib</c> at run time (libgirepository searches <c>GI_TYPELIB_PATH</c>, then the folder
/// it was built for: Debian's <c>/usr/lib/&lt;multiarch&gt;/girepository-1.0</c>), which no import statement shows. When
/// the app collects <c>gi</c>, this step finds the namespaces its modules (not gi's own; those the entry reaches by
/// imports, not those collected only with their package) use — the names of
/// <c>from gi.repository import X</c> and <c>import gi.repository.X</c>, and the literal
/// <c>gi.require_version("X", "V")</c> calls that pick their versions — with GLib and GObject, which gi itself loads;
/// adds each typelib and the typelibs it depends on (read from its header, <see cref="TypelibHeader"/>) to the runtime's
/// library folder under <c>girepository-1.0/</c>; and adds the shared libraries the typelibs name as roots of the
/// dependency walk (<see cref="BinaryCollector"/> runs next). The fact <c>gi_typelib_path</c> names the folder for
/// the runtime hook (Hooks/builtin/rthook_gi.py), which puts it first on <c>GI_TYPELIB_PATH</c>.
/// </summary>
/// <remarks>A namespace with no typelib on the build machine is a warning naming the module and line that imports it
/// (the frozen app fails there with gi's "Namespace X not available"). PyInstaller's gi hooks (hook-gi.repository.*)
/// collect the same files into <c>gi_typelibs</c> and set <c>GI_TYPELIB_PATH</c> the same way.</remarks>
public static class TypelibCollector
{
    /// <summary>The collect reason of the typelibs (<see cref="PayloadEntry.Reason"/>).</summary>
    public const string Reason = "gi-typelib";

    /// <summary>Namespaces gi itself loads whatever the app imports (gi/_ossighelper.py, gi/overrides/GObject.py).</summary>
    private static readonly string[] Always = ["GLib", "GObject"];

    /// <summary>Adds typelibs and their shared libraries when the app collects <c>gi</c>.</summary>
    /// <param name="plan">The plan (before <see cref="BinaryCollector"/>).</param>
    /// <param name="analysis">The module graph.</param>
    /// <param name="layout">Where the runtime's library folder is.</param>
    /// <param name="sysroot">A cross build's runtime folder; its typelibs are looked for inside it.</param>
    /// <returns>The typelib folder collected, or null when the app does not use gi.</returns>
    public static ScriptLibrary? Collect(CollectPlanBuilder plan, AnalysisResult analysis, RuntimeLayout layout, string? sysroot = null)
    {
        var gi = analysis.Graph.Find("gi");
        if (gi is null || gi.Kind is ModuleKind.Missing or ModuleKind.Alias || analysis.Interpreter.Platform != "linux")
            return null;
        var folders = TypelibFolders(analysis, sysroot);
        var wanted = new SortedDictionary<string, (string? Version, string Where)>(StringComparer.Ordinal);
        foreach (var ns in Always)
            wanted[ns] = (null, "gi");
        foreach (var (ns, version, where) in UsedNamespaces(analysis))
            if (!wanted.TryGetValue(ns, out var known) || known.Version is null)
                wanted[ns] = (version ?? known.Version, wanted.ContainsKey(ns) && known.Where != "gi" ? known.Where : where);

        var dest = layout.Libraries + "girepository-1.0";
        var done = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<(string Ns, string? Version, string Where)>(wanted.Select(kv => (kv.Key, kv.Value.Version, kv.Value.Where)));
        var libraries = new SortedSet<string>(StringComparer.Ordinal);
        string? source = null;
        var count = 0;
        while (pending.Count > 0)
        {
            var (ns, version, where) = pending.Dequeue();
            var file = Find(folders, ns, version);
            if (file is null)
            {
                plan.Warnings.Add($"{where}: GObject namespace {ns}{(version is null ? "" : "-" + version)} has no typelib in {string.Join(", ", folders)}; " +
                                  $"the frozen app fails where it imports it (install its gir1.2-* package)");
                continue;
            }
            if (!done.Add(Path.GetFileName(file)))
                continue;
            TypelibHeader header;
            try
            {
                header = TypelibHeader.Read(File.ReadAllBytes(file));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                plan.Warnings.Add($"{file}: not read ({e.Message}); namespace {ns} is not collected");
                continue;
            }
            source ??= Path.GetDirectoryName(file);
            if (plan.Add(new PayloadEntry
                {
                    Dest = $"{dest}/{Path.GetFileName(file)}", Kind = PayloadEntryKind.File, Source = file, Category = PayloadCategory.Data,
                    Owner = "gi", Reason = Reason,
                }))
                count++;
            foreach (var dep in header.Dependencies)
            {
                var dash = dep.LastIndexOf('-');
                pending.Enqueue(dash > 0 ? (dep[..dash], dep[(dash + 1)..], Path.GetFileName(file)) : (dep, null, Path.GetFileName(file)));
            }
            foreach (var lib in header.SharedLibraries)
                if (libraries.Add(lib))
                    AddLibrary(plan, layout, lib, file, sysroot);
        }
        if (count == 0)
            return null;
        plan.Facts["gi_typelib_path"] = dest;
        var library = new ScriptLibrary("girepository-1.0", source!, dest, count);
        plan.ScriptLibraries.Add(library);
        return library;
    }

    /// <summary>Namespaces the app's modules (those outside gi, reached from the entry by imports) use, with the version a literal
    /// <c>require_version</c> call in the same module gives, and where (<c>file:line</c>).</summary>
    public static IEnumerable<(string Namespace, string? Version, string Where)> UsedNamespaces(AnalysisResult analysis)
    {
        var graph = analysis.Graph;
        var importers = graph.Importers("gi.repository").Concat(graph.Importers("gi"))
            .Select(e => e.From).Where(f => f != "gi" && !f.StartsWith("gi.", StringComparison.Ordinal))
            // reached from the entry by imports: a module collected only with its package (pygtkcompat's Gtk 2 shims)
            // would name every namespace it could ever patch
            .Where(f => f == "__main__" || graph.Find(f) is { Reached: true })
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var from in importers)
        {
            var path = graph.Find(from)?.Path ?? (from == "__main__" ? analysis.EntryScript : null);
            if (path is null || !path.EndsWith(".py", StringComparison.Ordinal) || !File.Exists(path))
                continue;
            string text;
            try
            {
                text = PythonSourceDecoder.Decode(File.ReadAllBytes(path), out _);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            var versions = RequireVersions(text);
            foreach (var import in ImportScanner.ScanText(text).Imports)
            {
                var names = import.Module == "gi.repository" && import.Level == 0 ? import.Names.Where(n => n != "*")
                    : import.Module.StartsWith("gi.repository.", StringComparison.Ordinal) && import.Level == 0 ? [import.Module.Split('.')[2]]
                    : [];
                foreach (var ns in names)
                    yield return (ns, versions.GetValueOrDefault(ns), $"{path}:{import.Line}");
            }
            foreach (var (ns, version) in versions)
                yield return (ns, version, path);
        }
    }

    /// <summary>The literal <c>require_version("X", "V")</c> calls of a source (bare or after <c>gi.</c>), namespace → version.</summary>
    public static IReadOnlyDictionary<string, string> RequireVersions(string text)
    {
        var tokens = PythonTokenizer.Tokenize(text).Where(t => t.Kind is not (TokenKind.Nl or TokenKind.Comment)).ToList();
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        string Text(int i) => tokens[i].Text(text).ToString();
        for (var i = 0; i + 5 < tokens.Count; i++)
        {
            if (tokens[i].Kind != TokenKind.Name || Text(i) != "require_version" || Text(i + 1) != "(" || Text(i + 3) != "," || Text(i + 5) is not (")" or ","))
                continue;
            if (tokens[i + 2].Kind != TokenKind.String || tokens[i + 4].Kind != TokenKind.String)
                continue;
            if (PythonLiteral.Str(tokens[i + 2].Text(text)) is { } ns && PythonLiteral.Str(tokens[i + 4].Text(text)) is { } version)
                found[ns] = version;
        }
        return found;
    }

    /// <summary>Where typelibs are looked for, in libgirepository's order: <c>GI_TYPELIB_PATH</c> of the build, then
    /// <c>lib/girepository-1.0</c> under the interpreter's prefixes (a virtual environment or conda), then the
    /// system's multiarch and plain folders (inside the sysroot of a cross build, and only there).</summary>
    public static IReadOnlyList<string> TypelibFolders(AnalysisResult analysis, string? sysroot)
    {
        var interp = analysis.Interpreter;
        var list = new List<string>();
        if (sysroot is null)
        {
            list.AddRange((Environment.GetEnvironmentVariable("GI_TYPELIB_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
            list.AddRange(new[] { interp.Prefix, interp.BasePrefix }.Where(p => !string.IsNullOrEmpty(p) && p != "/usr")
                .Select(p => Path.Combine(p, "lib", "girepository-1.0")));
        }
        var root = sysroot ?? "/";
        if (interp.Multiarch is { Length: > 0 } multiarch)
            list.Add(Path.Combine(root, "usr/lib", multiarch, "girepository-1.0"));
        list.Add(Path.Combine(root, "usr/lib64/girepository-1.0"));
        list.Add(Path.Combine(root, "usr/lib/girepository-1.0"));
        return [.. list.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).Where(Directory.Exists)];
    }

    /// <summary>The typelib of a namespace: the version asked for, else the newest one (as gi picks with a warning).</summary>
    private static string? Find(IReadOnlyList<string> folders, string ns, string? version)
    {
        foreach (var dir in folders)
        {
            if (version is not null)
            {
                var exact = Path.Combine(dir, $"{ns}-{version}.typelib");
                if (File.Exists(exact))
                    return exact;
                continue;
            }
            var newest = Directory.EnumerateFiles(dir, ns + "-*.typelib")
                .Where(f => Version.TryParse(Path.GetFileNameWithoutExtension(f)[(ns.Length + 1)..], out _))
                .OrderByDescending(f => Version.Parse(Path.GetFileNameWithoutExtension(f)[(ns.Length + 1)..])).FirstOrDefault();
            if (newest is not null)
                return newest;
        }
        return null;
    }

    /// <summary>Adds a shared library a typelib names as a root of the dependency walk, from the folder above the
    /// typelib folder (where Debian keeps both) or where the ld.so cache puts it.</summary>
    private static void AddLibrary(CollectPlanBuilder plan, RuntimeLayout layout, string name, string typelib, string? sysroot)
    {
        var decision = SystemLibraryPolicy.Linux().Decide(name);
        if (decision.IsSystem)
        {
            plan.ExcludedLibraries.Add(new ExcludedLibrary(name, decision.Reason, decision.Category));
            return; // the display stack (Gdk's libX11, libEGL) is the target's
        }
        var candidates = new List<string> { Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(typelib)!)!, name) };
        if (sysroot is null && File.Exists(LdSoCache.DefaultPath))
        {
            try
            {
                candidates.AddRange(LdSoCache.Read().Entries.Where(e => e.Name == name).Select(e => e.Path));
            }
            catch (BinaryFormatException)
            {
                // an unreadable cache: the folder beside the typelibs is all there is
            }
        }
        var path = candidates.FirstOrDefault(p => File.Exists(p) && BinaryInspector.Identify(p) is not null);
        if (path is null)
        {
            plan.Warnings.Add($"{typelib}: its shared library {name} was not found; the frozen app fails where it calls into {Path.GetFileNameWithoutExtension(typelib)}");
            return;
        }
        var real = new FileInfo(path).ResolveLinkTarget(true)?.FullName ?? path;
        if (plan.Entries.Any(e => e.Kind == PayloadEntryKind.Binary && e.Source is not null && e.Source == real))
            return;
        if (plan.Add(new PayloadEntry
            {
                Dest = layout.Libraries + name, Kind = PayloadEntryKind.Binary, Source = real, Category = PayloadCategory.Runtime, Owner = "python",
                Reason = Reason,
            }))
            plan.Libraries.Add(new BundledLibrary(name, real, [Path.GetFileName(typelib)]));
    }
}

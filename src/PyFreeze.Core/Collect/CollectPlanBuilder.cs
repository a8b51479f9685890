namespace PyFreeze.Collect;

/// <summary>The collect stage's working state: each collector adds to it in turn, and it is the one place where two
/// collectors wanting the same payload destination is decided (the first one wins; the later ones are kept as
/// <see cref="CollectPlan.Conflicts"/>). <see cref="Build"/> hands on the immutable <see cref="CollectPlan"/>.</summary>
public sealed class CollectPlanBuilder
{
    /// <summary>Entries, unique by <see cref="PayloadEntry.Dest"/>, in the order they were added; only <see cref="Add"/>
    /// and <see cref="RemoveAll"/> change them.</summary>
    public IReadOnlyList<PayloadEntry> Entries => _entries;

    /// <summary>Shared libraries bundled for binaries.</summary>
    public List<BundledLibrary> Libraries { get; } = [];

    /// <summary>Libraries left to the target system.</summary>
    public List<ExcludedLibrary> ExcludedLibraries { get; } = [];

    /// <summary>Needed libraries that could not be found, with who needs them.</summary>
    public List<(string Name, string NeededBy)> MissingLibraries { get; } = [];

    /// <summary>The newest glibc symbol version a bundled binary needs, and which binary: the oldest target glibc.</summary>
    public (Version Version, string By)? RequiredGlibc { get; set; }

    /// <summary>Warnings to show (a hook naming an unknown module, a file that could not be read …).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The entry module's name inside the payload (run as <c>__main__</c>).</summary>
    public string EntryModule { get; set; } = "";

    /// <summary>Relative path of the interpreter inside the payload.</summary>
    public string Interpreter { get; set; } = "";

    /// <summary>Relative folders of bundled shared libraries.</summary>
    public List<string> LibraryDirs { get; } = [];

    /// <summary>Environment settings for the frozen app (from hooks), values may use <c>{MEIPASS}</c>.</summary>
    public SortedDictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>Runtime hooks (payload-relative .pyc paths), run in order before the entry.</summary>
    public List<string> RuntimeHooks { get; } = [];

    /// <summary>Facts of the build for runtime hooks (<c>__pyfreeze__[key]</c>), e.g. payload-relative folders.</summary>
    public SortedDictionary<string, string> Facts { get; } = new(StringComparer.Ordinal);

    /// <summary>Script libraries of bundled native libraries (Tcl/Tk).</summary>
    public List<ScriptLibrary> ScriptLibraries { get; } = [];

    private readonly List<PayloadEntry> _entries = [];
    private readonly Dictionary<string, PayloadEntry> _byDest = new(StringComparer.Ordinal);
    private readonly List<PayloadEntry> _conflicts = [];

    /// <summary>Adds an entry unless one with the same destination exists: the collectors run in a fixed order
    /// (<see cref="CollectStage"/>), so the first one wins, and an entry from another source for the same destination
    /// is kept in <see cref="CollectPlan.Conflicts"/>.</summary>
    /// <returns>True when added; false when the destination was taken.</returns>
    public bool Add(PayloadEntry entry)
    {
        if (!_byDest.TryAdd(entry.Dest, entry))
        {
            if (!ReferenceEquals(_byDest[entry.Dest], entry) && _byDest[entry.Dest].Source != entry.Source)
                _conflicts.Add(entry);
            return false;
        }
        _entries.Add(entry);
        return true;
    }

    /// <summary>Removes the entries <paramref name="drop"/> selects (their destinations become free again).</summary>
    /// <returns>How many were removed.</returns>
    public int RemoveAll(Predicate<PayloadEntry> drop) =>
        _entries.RemoveAll(e => drop(e) && _byDest.Remove(e.Dest));

    /// <summary>The plan as it stands, copied: nothing added later changes it. A file whose destination is also a
    /// folder of other entries (<c>app/flask</c> beside <c>app/flask/__init__.pyc</c>) cannot be unpacked: it is left
    /// out, recorded in <see cref="CollectPlan.Conflicts"/> and named in a warning; the folder's entries stay.</summary>
    public CollectPlan Build()
    {
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in _entries)
            for (var slash = e.Dest.IndexOf('/'); slash > 0; slash = e.Dest.IndexOf('/', slash + 1))
                folders.Add(e.Dest[..slash]);
        var shadowed = _entries.Where(e => e.Kind != PayloadEntryKind.Directory && folders.Contains(e.Dest)).ToList();
        foreach (var e in shadowed)
        {
            _entries.Remove(e);
            _byDest.Remove(e.Dest);
            _conflicts.Add(e);
            Warnings.Add($"{e.Source ?? e.Dest}: would be unpacked at {e.Dest}, which is also a folder of the app " +
                         $"(e.g. a package of that name); left out");
        }
        return Snapshot();
    }

    private CollectPlan Snapshot() => new()
    {
        Entries = [.. Entries],
        Libraries = [.. Libraries],
        ExcludedLibraries = [.. ExcludedLibraries],
        MissingLibraries = [.. MissingLibraries],
        RequiredGlibc = RequiredGlibc,
        Warnings = [.. Warnings],
        Conflicts = [.. _conflicts],
        EntryModule = EntryModule,
        Interpreter = Interpreter,
        LibraryDirs = [.. LibraryDirs],
        Environment = new SortedDictionary<string, string>(Environment, StringComparer.Ordinal),
        RuntimeHooks = [.. RuntimeHooks],
        Facts = new SortedDictionary<string, string>(Facts, StringComparer.Ordinal),
        ScriptLibraries = [.. ScriptLibraries],
    };

    /// <summary>True when an entry has this destination.</summary>
    public bool Has(string dest) => _byDest.ContainsKey(dest);
}

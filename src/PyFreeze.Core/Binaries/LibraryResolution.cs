using System.Text;

namespace PyFreeze.Binaries;

/// <summary>A binary as a loader holds it: where it was found, what it is, and which object loaded it (the chain
/// up to the executable decides RPATH inheritance on Linux and <c>@rpath</c> on macOS).</summary>
/// <param name="Path">Absolute path as found (not symlink-resolved: glibc's <c>$ORIGIN</c> and dyld's
/// <c>@loader_path</c> are the directory of this path; for the main executable pass its real path, as the kernel
/// reports it via /proc/self/exe).</param>
/// <param name="Info">The parsed binary.</param>
/// <param name="LoadedBy">The object whose dependency (or dlopen) loaded this one; null for the executable.</param>
public sealed record LoadedBinary(string Path, BinaryInfo Info, LoadedBinary? LoadedBy = null)
{
    /// <summary>The directory of <see cref="Path"/>: <c>$ORIGIN</c> / <c>@loader_path</c>.</summary>
    public string Directory => PosixPath.GetDirectory(Path);

    /// <summary>This object, then its loader, and so on up to the executable.</summary>
    public IEnumerable<LoadedBinary> Chain
    {
        get
        {
            var seen = new HashSet<LoadedBinary>(ReferenceEqualityComparer.Instance);
            for (var l = this; l is not null && seen.Add(l); l = l.LoadedBy)
                yield return l;
        }
    }
}

/// <summary>What happened to one candidate path during a search.</summary>
public enum SearchOutcome
{
    /// <summary>No such file.</summary>
    NotFound,
    /// <summary>Accepted: this is the result.</summary>
    Found,
    /// <summary>A binary of another class, byte order or machine (ld.so and dyld skip it and search on).</summary>
    WrongArchitecture,
    /// <summary>Exists but is not a valid binary of the expected format (skipped).</summary>
    Invalid,
    /// <summary>Skipped by a rule of the search, e.g. an ld.so.cache entry in a system directory under DF_1_NODEFLIB.</summary>
    Skipped,
}

/// <summary>One candidate looked at.</summary>
/// <param name="Candidate">The full candidate path.</param>
/// <param name="Source">Where the directory came from, e.g. <c>RUNPATH of /x/lib/libfoo.so</c>, <c>LD_LIBRARY_PATH</c>,
/// <c>ld.so.cache</c>, <c>default directory</c>, <c>@rpath from LC_RPATH of …</c>.</param>
/// <param name="Outcome">What was found there.</param>
/// <param name="Detail">Extra words for the report (e.g. <c>ELF32 i386, need ELF64 x86_64</c>), or null.</param>
public sealed record SearchAttempt(string Candidate, string Source, SearchOutcome Outcome, string? Detail = null);

/// <summary>The result of resolving one library name for one requester.</summary>
public sealed class LibraryResolution
{
    internal LibraryResolution(string name, string requester, string? path, IReadOnlyList<SearchAttempt> attempts, string? note = null)
    {
        Name = name;
        Requester = requester;
        Path = path;
        Attempts = attempts;
        Note = note;
    }

    /// <summary>The name that was resolved (DT_NEEDED name, DLL name, install name).</summary>
    public string Name { get; }

    /// <summary>Path of the object that needs it.</summary>
    public string Requester { get; }

    /// <summary>The path found (as constructed from the search directory, not symlink-resolved), or null.</summary>
    public string? Path { get; }

    /// <summary>True when found.</summary>
    public bool Found => Path is not null;

    /// <summary>Every candidate looked at, in search order.</summary>
    public IReadOnlyList<SearchAttempt> Attempts { get; }

    /// <summary>Where the found path came from (the <see cref="SearchAttempt.Source"/> of the accepted attempt), or null.</summary>
    public string? Source => Attempts.LastOrDefault(a => a.Outcome == SearchOutcome.Found)?.Source;

    /// <summary>A remark on the search as a whole (e.g. that default directories were skipped for DF_1_NODEFLIB), or null.</summary>
    public string? Note { get; }

    /// <summary>A multi-line explanation for an error message: the name, requester, and each candidate with its source
    /// and outcome.</summary>
    public string Explain()
    {
        var sb = new StringBuilder();
        sb.Append(Found ? $"{Name} (needed by {Requester}) => {Path} via {Source}" : $"{Name} (needed by {Requester}) not found");
        if (Note is not null)
            sb.Append($"; {Note}");
        sb.AppendLine();
        if (Attempts.Count == 0)
            sb.AppendLine("  (no directory to search)");
        foreach (var a in Attempts)
        {
            var what = a.Outcome switch
            {
                SearchOutcome.NotFound => "not found",
                SearchOutcome.Found => "found",
                SearchOutcome.WrongArchitecture => "wrong architecture, skipped",
                SearchOutcome.Invalid => "not a valid binary, skipped",
                _ => "skipped",
            };
            sb.AppendLine($"  {a.Candidate} ({a.Source}): {what}{(a.Detail is null ? "" : " — " + a.Detail)}");
        }
        return sb.ToString().TrimEnd();
    }

    /// <inheritdoc />
    public override string ToString() => Found ? $"{Name} => {Path}" : $"{Name} => not found";
}

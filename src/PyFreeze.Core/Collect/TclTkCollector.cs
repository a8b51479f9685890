using System.Text.RegularExpressions;
using PyFreeze.Analyze;
using PyFreeze.Diagnostics;
using PyFreeze.Probe;

namespace PyFreeze.Collect;

/// <summary>The Tcl and Tk script libraries to bundle.</summary>
/// <param name="TclLibrary">The folder holding <c>init.tcl</c>.</param>
/// <param name="TkLibrary">The folder holding <c>tk.tcl</c>, or null when nothing bundled uses Tk.</param>
/// <param name="Version">The Tcl/Tk version (<c>8.6</c>); the payload folders are <c>tclVERSION</c> and <c>tkVERSION</c>.</param>
public sealed record TclTkLibraries(string TclLibrary, string? TkLibrary, string Version);

/// <summary>
/// Tcl/Tk for tkinter (and any extension linked to libtcl/libtk): Tcl and Tk read their script libraries
/// (<c>init.tcl</c>, <c>tk.tcl</c>, encodings, message catalogs, ttk themes) from folders at run time, which the
/// dependency walk cannot see. This step takes where the build interpreter's Tcl keeps its library (asked by the probe), finds Tk's beside it
/// or beside libtk, copies both into the runtime's library folder (<c>python/lib/tcl8.6</c>, <c>python/lib/tk8.6</c>),
/// and records them as facts for the <c>_tkinter</c> runtime hook, which points Tcl at them in the frozen app only.
/// </summary>
/// <remarks>A build that uses tkinter where Tcl/Tk or their scripts are missing fails here, naming the packages, rather
/// than making an executable that fails on the user's machine.</remarks>
public static class TclTkCollector
{
    /// <summary>What to install, for error messages.</summary>
    public const string InstallHint =
        "install Tcl/Tk (Debian/Ubuntu: apt-get install tcl8.6 tk8.6 python3-tk, which bring libtcl8.6 and libtk8.6 with their scripts; " +
        "Fedora: dnf install tcl tk python3-tkinter) or leave tkinter out with --exclude-module tkinter --exclude-module _tkinter";

    private static readonly Regex TclName = new(@"^libtcl(\d+\.\d+)?[^/]*\.so", RegexOptions.CultureInvariant);
    private static readonly Regex FolderName = new(@"^tcl(\d+\.\d+)$", RegexOptions.CultureInvariant);
    private static readonly Regex TkName = new(@"^libtk(\d+\.\d+)?[^/]*\.so", RegexOptions.CultureInvariant);

    /// <summary>Adds the Tcl/Tk script libraries when the app collects <c>_tkinter</c> or bundles libtcl/libtk.</summary>
    /// <param name="plan">The plan, after <see cref="BinaryCollector"/> (its bundled and missing libraries are read).</param>
    /// <param name="analysis">The analysis (is <c>_tkinter</c> collected; what the probe learned of the interpreter's Tcl).</param>
    /// <param name="layout">Where the runtime's library folder is.</param>
    /// <param name="log">Messages.</param>
    /// <returns>What was collected, or null when the app uses no Tcl.</returns>
    /// <exception cref="PyFreezeException">Tcl/Tk or their script libraries are not installed on the build machine.</exception>
    public static TclTkLibraries? Collect(CollectPlanBuilder plan, AnalysisResult analysis, RuntimeLayout layout, Log log)
    {
        var tkinter = analysis.Graph.Find("_tkinter");
        var usesTkinter = tkinter is not null && tkinter.Kind is not (ModuleKind.Missing or ModuleKind.Alias);
        var libtcl = plan.Libraries.FirstOrDefault(l => TclName.IsMatch(l.Name));
        var libtk = plan.Libraries.FirstOrDefault(l => TkName.IsMatch(l.Name));
        if (!usesTkinter && libtcl is null && libtk is null)
            return null;
        CheckLibrariesFound(plan.MissingLibraries);
        // A runtime for another platform (--runtime) cannot be run here: its own tree holds the script libraries.
        var cross = analysis.Interpreter.Platform != HostPlatform;
        var query = cross ? QueryRuntimeTree(analysis.Interpreter.Prefix)
            : analysis.Interpreter.Tcl ?? new TclQuery(null, null, $"{analysis.Interpreter.Executable} has no _tkinter");
        if (cross && query.Library is null)
            throw new PyFreezeException($"{query.Error}, so tkinter cannot be frozen for {analysis.Interpreter.Platform}: use a runtime that has Tcl/Tk (python-build-standalone's install_only archives do) or leave tkinter out with --exclude-module tkinter --exclude-module _tkinter");
        var found = Locate(query, libtcl?.Path, libtk?.Path, needTk: usesTkinter || libtk is not null);
        Add(plan, found, layout);
        log.Info($"Tcl/Tk {found.Version}: script libraries from {found.TclLibrary}{(found.TkLibrary is null ? "" : " and " + found.TkLibrary)}");
        return found;
    }

    /// <summary>Fails when a Tcl or Tk shared library that a collected binary needs was not found.</summary>
    /// <param name="missing">The plan's missing libraries (name, needed by).</param>
    /// <exception cref="PyFreezeException">libtcl or libtk is among them.</exception>
    public static void CheckLibrariesFound(IEnumerable<(string Name, string NeededBy)> missing)
    {
        foreach (var (name, by) in missing)
            if (TclName.IsMatch(name) || TkName.IsMatch(name))
                throw new PyFreezeException($"{name} (needed by {by}) is not installed on the build machine, so tkinter cannot be frozen: {InstallHint}");
    }

    private static string HostPlatform => OperatingSystem.IsWindows() ? "win32" : OperatingSystem.IsMacOS() ? "darwin" : "linux";

    /// <summary>Finds the Tcl script library inside a runtime tree that cannot be run here (python-build-standalone:
    /// <c>lib/tcl8.6/</c> on macOS and Linux, <c>tcl/tcl8.6/</c> on Windows): the first <c>tcl8.X/init.tcl</c> at most
    /// two folders below <paramref name="prefix"/>.</summary>
    /// <returns>The library and its version, or an error naming the tree when there is none.</returns>
    public static TclQuery QueryRuntimeTree(string prefix)
    {
        var found = new[] { prefix }.Concat(SafeDirs(prefix)).Concat(SafeDirs(prefix).SelectMany(SafeDirs))
            .Where(d => FolderName.IsMatch(Path.GetFileName(d)) && File.Exists(Path.Combine(d, "init.tcl")))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
        return found is null
            ? new TclQuery(null, null, $"the runtime {prefix} holds no tcl8.X/init.tcl")
            : new TclQuery(found, VersionFrom(found, FolderName), null);
    }

    private static IEnumerable<string> SafeDirs(string dir)
    {
        try
        {
            return Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Decides the Tcl and Tk script library folders.</summary>
    /// <param name="query">The interpreter's answer (<see cref="InterpreterInfo.Tcl"/>) or <see cref="QueryRuntimeTree"/>'s.</param>
    /// <param name="libtcl">The bundled libtcl, or null (a static Tcl, as in python-build-standalone).</param>
    /// <param name="libtk">The bundled libtk, or null.</param>
    /// <param name="needTk">Whether Tk's library is required (tkinter, or a bundled libtk).</param>
    /// <exception cref="PyFreezeException">Tcl's <c>init.tcl</c> or Tk's <c>tk.tcl</c> is not found.</exception>
    public static TclTkLibraries Locate(TclQuery query, string? libtcl, string? libtk, bool needTk)
    {
        var tcl = query.Library;
        if (tcl is null || !File.Exists(Path.Combine(tcl, "init.tcl")))
        {
            var why = query.Error ?? (tcl is null ? "Tcl gave no library folder" : $"{tcl} has no init.tcl");
            throw new PyFreezeException($"the Tcl script library (init.tcl) of the build machine's Tcl was not found ({why}), so tkinter cannot be frozen: {InstallHint}");
        }
        tcl = Path.GetFullPath(tcl);
        var version = query.Version
                      ?? VersionFrom(libtcl, TclName)
                      ?? VersionFrom(libtk, TkName)
                      ?? VersionFrom(tcl, FolderName)
                      ?? "8.6";
        if (!needTk)
            return new TclTkLibraries(tcl, null, version);
        var candidates = new List<string> { Path.Combine(Path.GetDirectoryName(tcl)!, "tk" + version) };
        if (libtk is not null)
        {
            var dir = Path.GetDirectoryName(libtk)!;
            candidates.Add(Path.Combine(dir, "tk" + version));
            candidates.Add(Path.Combine(dir, "..", "lib", "tk" + version));
            candidates.Add(Path.Combine(dir, "..", "share", "tcltk", "tk" + version));
            candidates.Add(Path.Combine(dir, "..", "..", "share", "tcltk", "tk" + version));
        }
        var tk = candidates.Select(Path.GetFullPath).FirstOrDefault(c => File.Exists(Path.Combine(c, "tk.tcl")));
        if (tk is null)
            throw new PyFreezeException($"the Tk script library (tk.tcl) was not found (looked in {string.Join(", ", candidates.Select(Path.GetFullPath).Distinct())}), so tkinter cannot be frozen: {InstallHint}");
        return new TclTkLibraries(tcl, tk, version);
    }

    /// <summary>Adds the files of the script libraries to the plan under the runtime's library folder and records
    /// their payload folders as the facts <c>tcl_library</c> and <c>tk_library</c>.</summary>
    public static void Add(CollectPlanBuilder plan, TclTkLibraries libraries, RuntimeLayout layout)
    {
        AddTree(plan, "tcl" + libraries.Version, libraries.TclLibrary, layout, "tcl_library");
        // Tcl modules (*.tm: msgcat, http) in the upstream layout live in tcl8/ beside the library; Tcl looks there
        // relative to [info library]. (Debian keeps them inside the library folder, collected above.)
        var modules = Path.Combine(Path.GetDirectoryName(libraries.TclLibrary)!, "tcl" + libraries.Version.Split('.')[0]);
        if (Directory.Exists(modules))
            AddTree(plan, Path.GetFileName(modules), modules, layout, "tcl_modules");
        if (libraries.TkLibrary is not null)
            AddTree(plan, "tk" + libraries.Version, libraries.TkLibrary, layout, "tk_library");
    }

    private static void AddTree(CollectPlanBuilder plan, string name, string source, RuntimeLayout layout, string fact)
    {
        var dest = layout.Libraries + name;
        var count = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var file in Directory.EnumerateFiles(source, "*", options).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(source, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!Wanted(rel) || !File.Exists(file)) // File.Exists: a dangling symlink is left out
                continue;
            if (plan.Add(new PayloadEntry { Dest = $"{dest}/{rel}", Kind = PayloadEntryKind.File, Source = file, Category = PayloadCategory.Data, Owner = name }))
                count++;
        }
        plan.Facts[fact] = dest;
        plan.ScriptLibraries.Add(new ScriptLibrary(name, source, dest, count));
    }

    /// <summary>Files of a script library that the frozen app can need: not the C sources of the sample shells
    /// (<c>tclAppInit.c</c>), not Tk's widget demos.</summary>
    private static bool Wanted(string rel) =>
        !rel.EndsWith(".c", StringComparison.Ordinal) && !rel.StartsWith("demos/", StringComparison.Ordinal);

    private static string? VersionFrom(string? path, Regex name)
    {
        if (path is null)
            return null;
        var m = name.Match(Path.GetFileName(path));
        return m.Success && m.Groups[1].Success ? m.Groups[1].Value : null;
    }
}

namespace PyFreeze.Analyze;

/// <summary>
/// A policy that adds modules to the graph once the imports are followed: the submodules of collected packages,
/// the modules entry points name, hooks' hidden imports. The analyzer calls every expander whenever the graph has
/// settled, follows the imports of what they add, and repeats until no expander adds anything new.
/// </summary>
public interface IGraphExpander
{
    /// <summary>Modules to add, each with the module that "imports" it (for reports).</summary>
    /// <param name="graph">The graph so far (read it; do not modify it).</param>
    /// <param name="analyzer">The running analysis (search path, finder, interpreter).</param>
    /// <returns>(importer, module) pairs; modules already in the graph are ignored.</returns>
    IEnumerable<(string Importer, string Module)> Expand(ModuleGraph graph, Analyzer analyzer);

    /// <summary>True when the importer really imports the modules at run time (from compiled code, where no statement
    /// shows it): they are reached when their importer is, and their own imports are followed. False for modules added
    /// only to be there (whole packages, entry points), whose deferred imports wait until the app reaches them.</summary>
    bool ImportsAtRunTime => false;

    /// <summary>Modules (added by this expander or already in the graph) that a package the app reaches imports by name at
    /// run time, as plugins: their module-level optional imports (<c>try: import pygments / except ImportError</c>) run
    /// when they are loaded, so those are followed, and what they find is reached, even before the app's own imports reach
    /// them.</summary>
    IEnumerable<string> LoadedByName(ModuleGraph graph) => [];
}

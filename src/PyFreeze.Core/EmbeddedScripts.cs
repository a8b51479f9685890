using System.Reflection;

namespace PyFreeze;

/// <summary>The Python scripts that ship inside PyFreeze.Core as embedded resources (probe, compile, boot).</summary>
public static class EmbeddedScripts
{
    /// <summary>Reads an embedded script by file name (e.g. <c>probe.py</c>).</summary>
    /// <exception cref="InvalidOperationException">No such resource: a packaging bug.</exception>
    public static string Read(string fileName)
    {
        using var s = typeof(EmbeddedScripts).Assembly.GetManifestResourceStream("PyFreeze." + fileName)
                      ?? throw new InvalidOperationException($"embedded script {fileName} is missing from PyFreeze.Core");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}

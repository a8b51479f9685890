namespace PyFreeze.Tests.Infrastructure;

/// <summary>A fresh folder under the test temp root, removed on dispose.</summary>
public sealed class TempDir : IDisposable
{
    /// <summary>Creates it.</summary>
    public TempDir(string? prefix = null)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pyfreeze-tests", $"{prefix ?? "t"}-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>A path inside it.</summary>
    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>A path inside it (the same as the indexer).</summary>
    public string File(string relative) => this[relative];

    /// <summary>Writes a file (creating folders).</summary>
    public string Write(string relative, string content)
    {
        var p = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        System.IO.File.WriteAllText(p, content);
        return p;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                foreach (var f in Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories))
                    try { System.IO.File.SetUnixFileMode(f, (UnixFileMode)0b111_000_000); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                Directory.Delete(Path, true);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

namespace PyFreeze.Analyze.Scanning;

/// <summary>
/// Finds the imports of one Python source file with a real tokenizer (no Python process).
/// </summary>
public static class ImportScanner
{
    /// <summary>Scans raw source bytes (any PEP 263 encoding, optional UTF-8 BOM).</summary>
    /// <param name="source">The file's bytes.</param>
    /// <returns>Imports in source order, tokenizer problems, the literal <c>__all__</c>.</returns>
    public static ScanResult Scan(ReadOnlySpan<byte> source) => throw new NotImplementedException();
}

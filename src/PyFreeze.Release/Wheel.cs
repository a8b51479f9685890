using System.Security.Cryptography;
using System.Text;

namespace PyFreeze.Release;

/// <summary>
/// The platform wheel for one RID (PEP 427 and the binary distribution format spec; PEP 491): the self-contained
/// <c>pyfreeze</c> executable as <c>pyfreeze-V.data/scripts/pyfreeze[.exe]</c> (pip installs it into the scheme's
/// scripts folder as it is, as ruff's and uv's wheels ship their binaries), the package tree as
/// <c>pyfreeze-V.data/data/share/pyfreeze/</c>, a small <c>pyfreeze</c> Python package so that <c>python -m pyfreeze</c>
/// runs the executable, and the <c>.dist-info</c> (METADATA, WHEEL, licenses, RECORD last).
/// </summary>
public static class Wheel
{
    /// <summary>The platform tag of a RID (PEP 600 manylinux, PEP 425): the oldest system its .NET host runs on.</summary>
    /// <exception cref="ArgumentException">A RID PyFreeze makes no wheel for.</exception>
    public static string PlatformTag(string rid) => rid switch
    {
        "linux-x64" => "manylinux_2_28_x86_64",
        "linux-arm64" => "manylinux_2_28_aarch64",
        "win-x64" => "win_amd64",
        "win-arm64" => "win_arm64",
        "osx-arm64" => "macosx_11_0_arm64",
        "osx-x64" => "macosx_10_15_x86_64",
        _ => throw new ArgumentException($"no wheel platform tag for RID {rid}"),
    };

    /// <summary>The wheel's file name: <c>pyfreeze-V-py3-none-PLATFORM.whl</c>.</summary>
    public static string FileName(string version, string rid) => $"pyfreeze-{version}-py3-none-{PlatformTag(rid)}.whl";

    /// <summary>The METADATA file (core metadata 2.1).</summary>
    public static string Metadata(ReleaseInfo info) => $"""
        Metadata-Version: 2.1
        Name: pyfreeze
        Version: {info.Version}
        Summary: {ReleaseInfo.Summary}
        Author: PyFreeze
        License: {info.License}
        Project-URL: Homepage, {info.RepositoryUrl}
        Project-URL: Source, {info.RepositoryUrl}
        Project-URL: Issues, {info.RepositoryUrl}/issues
        Project-URL: Changelog, {info.RepositoryUrl}/releases
        Keywords: freeze,packaging,executable,pyinstaller,onefile
        Classifier: Development Status :: 3 - Alpha
        Classifier: Environment :: Console
        Classifier: Intended Audience :: Developers
        Classifier: License :: OSI Approved :: MIT License
        Classifier: Programming Language :: Python :: 3
        Classifier: Topic :: Software Development :: Build Tools
        Requires-Python: >=3.9
        Description-Content-Type: text/markdown

        # PyFreeze

        {ReleaseInfo.Summary} This wheel holds the `pyfreeze` command itself (a native executable: no .NET install is
        needed) and the bootloader kits it bundles with each frozen app.

        ```
        pipx install pyfreeze
        pyfreeze build app.py        # dist/app runs where no Python is installed
        ```

        """.Replace("\r\n", "\n");

    /// <summary>The WHEEL file.</summary>
    public static string WheelFile(ReleaseInfo info, string rid) => $"""
        Wheel-Version: 1.0
        Generator: pyfreeze-release ({info.Version})
        Root-Is-Purelib: false
        Tag: py3-none-{PlatformTag(rid)}

        """.Replace("\r\n", "\n");

    /// <summary>A RECORD line's hash: <c>sha256=</c> and the urlsafe base64 digest without padding.</summary>
    public static string RecordHash(byte[] content) =>
        "sha256=" + Convert.ToBase64String(SHA256.HashData(content)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The RECORD file for <paramref name="items"/> (CSV: path, hash, size), itself last with no hash.</summary>
    public static string Record(IEnumerable<ZipItem> items, string recordPath)
    {
        var sb = new StringBuilder();
        foreach (var i in items)
            sb.Append(Csv(i.Path)).Append(',').Append(RecordHash(i.Content)).Append(',').Append(i.Content.Length).Append('\n');
        sb.Append(Csv(recordPath)).Append(",,\n");
        return sb.ToString();
    }

    private static string Csv(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    /// <summary>Writes the wheel into <paramref name="outDir"/>.</summary>
    /// <param name="info">Version, URLs, timestamp.</param>
    /// <param name="rid">The RID of <paramref name="executable"/>.</param>
    /// <param name="executable">The self-contained <c>pyfreeze</c> executable for that RID.</param>
    /// <param name="packageTree">The laid-out package tree (<see cref="PackageTree.Lay"/>, channel <c>wheel</c>).</param>
    /// <param name="licenses">License files for <c>.dist-info/licenses/</c> (name in the wheel, file).</param>
    /// <param name="outDir">Where the wheel goes.</param>
    /// <returns>The wheel's path.</returns>
    public static string Write(ReleaseInfo info, string rid, string executable, string packageTree,
        IReadOnlyList<(string Name, string File)> licenses, string outDir)
    {
        var v = info.Version;
        var data = $"pyfreeze-{v}.data";
        var distInfo = $"pyfreeze-{v}.dist-info";
        var exeName = rid.StartsWith("win-", StringComparison.Ordinal) ? "pyfreeze.exe" : "pyfreeze";
        var items = new List<ZipItem>
        {
            new("pyfreeze/__init__.py", Encoding.UTF8.GetBytes(PythonFile("__init__.py").Replace("{{VERSION}}", v))),
            new("pyfreeze/__main__.py", Encoding.UTF8.GetBytes(PythonFile("__main__.py"))),
            new($"{data}/scripts/{exeName}", File.ReadAllBytes(executable), Executable: true),
        };
        items.AddRange(PackageTree.Items(packageTree, $"{data}/data/share/pyfreeze/"));
        items.Add(new($"{distInfo}/METADATA", Encoding.UTF8.GetBytes(Metadata(info))));
        items.Add(new($"{distInfo}/WHEEL", Encoding.UTF8.GetBytes(WheelFile(info, rid))));
        foreach (var (name, file) in licenses.OrderBy(l => l.Name, StringComparer.Ordinal))
            items.Add(ZipItem.FromFile($"{distInfo}/licenses/{name}", file) with { Executable = false });
        var recordPath = $"{distInfo}/RECORD";
        items.Add(new(recordPath, Encoding.UTF8.GetBytes(Record(items, recordPath))));
        var path = Path.Combine(outDir, FileName(v, rid));
        ReproducibleZip.Write(path, items, ReproducibleZip.Timestamp(info.SourceDateEpoch));
        return path;
    }

    private static string PythonFile(string name)
    {
        using var s = typeof(Wheel).Assembly.GetManifestResourceStream("PyFreeze.Release.python." + name)
                      ?? throw new InvalidOperationException($"python/pyfreeze/{name} is missing from the release tool");
        return new StreamReader(s).ReadToEnd().Replace("\r\n", "\n");
    }
}

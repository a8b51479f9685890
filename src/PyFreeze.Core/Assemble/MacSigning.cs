using System.Xml;
using PyFreeze.Diagnostics;
using PyFreeze.Processes;

namespace PyFreeze.Assemble;

/// <summary>
/// How an osx-arm64 build signs its Mach-O files (every dylib, extension module and the interpreter in the payload;
/// HostModel signs the host). macOS on Apple Silicon loads no unsigned code, so the default is an ad-hoc signature
/// written by PyFreeze itself on any build machine (<see cref="Binaries.MachOCodeSignature"/>). An identity
/// (<c>--codesign-identity</c>) or entitlements (<c>--osx-entitlements-file</c>) need Apple's <c>codesign</c>, so
/// they work only when building on macOS; there each file gets
/// <c>codesign --force --sign ID --timestamp --options runtime [--entitlements FILE] PATH</c> (hardened runtime and a
/// secure timestamp, as notarization requires; PyInstaller's <c>osxutils</c> signs the same way).
/// </summary>
public sealed record MacSigning
{
    /// <summary>The ad-hoc identity (<c>codesign -s -</c>).</summary>
    public const string AdHocIdentity = "-";

    /// <summary>The signing identity: <see cref="AdHocIdentity"/>, or a keychain identity's name or SHA-1.</summary>
    public string Identity { get; init; } = AdHocIdentity;

    /// <summary>An entitlements property list (absolute path), or null.</summary>
    public string? Entitlements { get; init; }

    /// <summary>True when PyFreeze writes the signatures itself (ad hoc, no entitlements).</summary>
    public bool IsAdHoc => Identity == AdHocIdentity && Entitlements is null;

    /// <summary>Ad hoc, without entitlements.</summary>
    public static MacSigning AdHoc { get; } = new();

    /// <summary>Checks the options and makes the signing settings.</summary>
    /// <param name="identity"><c>--codesign-identity</c>, or null for ad hoc.</param>
    /// <param name="entitlements"><c>--osx-entitlements-file</c>, or null.</param>
    /// <param name="hostIsMacOS">Whether this build machine is a Mac (where <c>codesign</c> exists).</param>
    /// <exception cref="PyFreezeException">The entitlements file is missing or not an XML property list, or an
    /// identity or entitlements are asked for off macOS (exit code 2).</exception>
    public static MacSigning Create(string? identity, string? entitlements, bool hostIsMacOS)
    {
        if (identity is not null && identity.Trim().Length == 0)
            throw new PyFreezeException("--codesign-identity: empty; give a keychain identity (\"Developer ID Application: …\") or - for ad hoc", 2);
        string? full = null;
        if (entitlements is not null)
        {
            full = Path.GetFullPath(entitlements);
            if (!File.Exists(full))
                throw new PyFreezeException($"--osx-entitlements-file {entitlements}: no such file; give an entitlements .plist", 2);
            try
            {
                var doc = new XmlDocument { XmlResolver = null };
                using var reader = XmlReader.Create(full, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
                doc.Load(reader);
                if (doc.DocumentElement?.Name != "plist" || doc.DocumentElement.SelectSingleNode("dict") is null)
                    throw new PyFreezeException($"--osx-entitlements-file {entitlements}: not a property list (expected <plist><dict>…</dict></plist>)", 2);
            }
            catch (XmlException e)
            {
                throw new PyFreezeException($"--osx-entitlements-file {entitlements}: not a valid XML property list (line {e.LineNumber}: {e.Message})", 2, e);
            }
        }
        var id = identity?.Trim() ?? AdHocIdentity;
        var signing = new MacSigning
        {
            Identity = id,
            Entitlements = full,
            CacheKey = full is null ? id : $"{id}\n{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(full)))}",
        };
        if (!signing.IsAdHoc && !hostIsMacOS)
            throw new PyFreezeException($"{(signing.Identity != AdHocIdentity ? $"--codesign-identity {signing.Identity}" : $"--osx-entitlements-file {entitlements}")}: needs Apple's codesign, which runs only on macOS; from this host osx-arm64 builds are signed ad hoc (drop the option here, or build on a Mac)", 2);
        return signing;
    }

    /// <summary>The <c>codesign</c> arguments that sign <paramref name="path"/> (a Mach-O file or a .app folder).</summary>
    /// <param name="path">What to sign.</param>
    /// <param name="identifier">The signature's identifier (<c>-i</c>; codesign's default is the file name), or null.</param>
    public IReadOnlyList<string> CodesignArguments(string path, string? identifier = null)
    {
        var args = new List<string> { "--force", "--sign", Identity };
        if (identifier is not null)
            args.AddRange(["--identifier", identifier]);
        if (Identity != AdHocIdentity)
            args.AddRange(["--timestamp", "--options", "runtime"]);
        if (Entitlements is not null)
            args.AddRange(["--entitlements", Entitlements]);
        args.Add(path);
        return args;
    }

    /// <summary>A stable description for cache keys: the identity and the entitlements' SHA-256 (read once, in
    /// <see cref="Create"/>).</summary>
    public string CacheKey { get; private init; } = AdHocIdentity;

    /// <summary>Signs <paramref name="path"/> (a Mach-O file or a .app folder) in place with Apple's <c>codesign</c>.</summary>
    /// <param name="path">What to sign.</param>
    /// <param name="identifier">The signature's identifier, or null for codesign's default (the file name).</param>
    /// <exception cref="PyFreezeException">codesign fails (its first line of error output is named).</exception>
    public void Codesign(string path, string? identifier = null)
    {
        var result = ProcessRunner.Run("codesign", CodesignArguments(path, identifier), timeout: TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0)
            throw new PyFreezeException($"{path}: codesign --sign {Identity} failed: {result.StdErr.Trim().Split('\n')[0]}", 1);
    }
}

using System.Runtime.InteropServices;
using PyFreeze.Diagnostics;

namespace PyFreeze;

/// <summary>A .NET runtime identifier PyFreeze can build for, with what the bundler and loaders need to know. Shared by
/// every stage (probe, collect, emit), so it lives beside them rather than in one.</summary>
/// <param name="Name">The RID (<c>linux-x64</c>).</param>
/// <param name="Os">Target OS for the bundler.</param>
/// <param name="Architecture">Target CPU.</param>
/// <param name="PythonPlatform"><c>sys.platform</c> of the target.</param>
/// <param name="ExecutableSuffix"><c>.exe</c> on Windows, else empty.</param>
public sealed record Rid(string Name, OSPlatform Os, Architecture Architecture, string PythonPlatform, string ExecutableSuffix)
{
    /// <summary>The RIDs PyFreeze builds for.</summary>
    public static IReadOnlyList<Rid> Supported { get; } =
    [
        new("linux-x64", OSPlatform.Linux, Architecture.X64, "linux", ""),
        new("win-x64", OSPlatform.Windows, Architecture.X64, "win32", ".exe"),
        new("osx-arm64", OSPlatform.OSX, Architecture.Arm64, "darwin", ""),
        new("linux-arm64", OSPlatform.Linux, Architecture.Arm64, "linux", ""),
    ];

    /// <summary>True for Windows targets.</summary>
    public bool IsWindows => Os == OSPlatform.Windows;

    /// <summary>True for macOS targets.</summary>
    public bool IsMacOS => Os == OSPlatform.OSX;

    /// <summary>True for Linux (glibc) targets.</summary>
    public bool IsLinux => Os == OSPlatform.Linux;

    /// <summary>The RID of the machine running PyFreeze (for the default <c>--target</c>).</summary>
    public static string HostName => RuntimeInformation.RuntimeIdentifier switch
    {
        var r when r.StartsWith("linux-", StringComparison.Ordinal) && !r.StartsWith("linux-musl", StringComparison.Ordinal) => "linux-" + Arch(),
        var r when r.StartsWith("osx", StringComparison.Ordinal) => "osx-" + Arch(),
        var r when r.StartsWith("win", StringComparison.Ordinal) => "win-" + Arch(),
        var r => r,
    };

    private static string Arch() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "x64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "x86",
        var a => a.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses a RID name.</summary>
    /// <exception cref="PyFreezeException">Not a supported RID; the message lists the supported ones.</exception>
    public static Rid Parse(string name) =>
        Supported.FirstOrDefault(r => r.Name == name)
        ?? throw new PyFreezeException($"--target {name}: not a RID PyFreeze builds for; use one of {string.Join(", ", Supported.Select(r => r.Name))}", 2);

    /// <inheritdoc />
    public override string ToString() => Name;
}

using System.Runtime.InteropServices;
using PyFreeze.Payload;

namespace PyFreeze.Bootloader;

/// <summary>
/// The glibc check made before anything is unpacked: a payload built where glibc is newer than here (its interpreter
/// needs <c>GLIBC_2.38</c> symbols, this system has 2.36) would otherwise fail inside the dynamic loader with
/// "version `GLIBC_2.38' not found". The floor is recorded at build time (<see cref="LaunchSettings.GlibcFloor"/>);
/// the running glibc's version comes from <c>gnu_get_libc_version()</c> (glibc's <c>gnu/libc-version.h</c>).
/// </summary>
internal static partial class GlibcFloor
{
    [LibraryImport("libc.so.6", EntryPoint = "gnu_get_libc_version")]
    private static partial IntPtr GnuGetLibcVersion();

    /// <summary>Throws a one-line <see cref="BootException"/> when this system's glibc is older than the payload needs
    /// (or is no glibc at all); returns at once when the settings record no floor or off Linux.</summary>
    internal static void Check(LaunchSettings settings)
    {
        if (!OperatingSystem.IsLinux() || settings.GlibcFloor.Length == 0 || !Version.TryParse(settings.GlibcFloor, out var needed))
            return;
        var by = settings.GlibcFloorNeededBy.Length > 0 ? $" (its {settings.GlibcFloorNeededBy} was built against it)" : "";
        var found = Running();
        if (found is null)
            throw new BootException($"this app needs glibc {settings.GlibcFloor} or newer{by}, and this system has no glibc; run it on a glibc-based Linux");
        if (found >= needed)
            return;
        throw new BootException($"this app needs glibc {settings.GlibcFloor} or newer{by}; this system has glibc {found}: " +
                                $"run it on a newer system, or build it on one with glibc {found} or older");
    }

    /// <summary>The running glibc's version (2.36), or null without glibc (musl has no gnu_get_libc_version).</summary>
    private static Version? Running()
    {
        try
        {
            var text = Marshal.PtrToStringUTF8(GnuGetLibcVersion());
            return Version.TryParse(text, out var v) ? v : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}

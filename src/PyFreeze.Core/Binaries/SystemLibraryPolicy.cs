using Microsoft.Extensions.FileSystemGlobbing;

namespace PyFreeze.Binaries;

/// <summary>The operating system a build targets: decides the binary format, the loader model and the system libraries.</summary>
public enum TargetPlatform
{
    /// <summary>Linux with glibc: ELF, ld.so.</summary>
    Linux,
    /// <summary>Windows: PE, the NT loader.</summary>
    Windows,
    /// <summary>macOS: Mach-O, dyld.</summary>
    MacOS,
}

/// <summary>Why a library is or is not left to the target system.</summary>
public enum SystemLibraryCategory
{
    /// <summary>Not a system library: bundle it.</summary>
    Bundled,
    /// <summary>Part of the GNU C library: must match the target's ld.so, never bundled.</summary>
    Glibc,
    /// <summary>The kernel's virtual DSO, mapped into every process; no file to bundle.</summary>
    KernelVdso,
    /// <summary>Display, font, audio and GPU libraries that must match the target's display server, drivers and
    /// configuration (left out when the policy is made with <c>leaveDisplayLibrariesToSystem</c>).</summary>
    DisplayAndGpu,
    /// <summary>A Windows API set contract (<c>api-ms-win-*</c>, <c>ext-ms-*</c>), resolved by the loader to a system DLL.</summary>
    WindowsApiSet,
    /// <summary>A DLL that ships with every supported Windows (System32).</summary>
    WindowsSystem,
    /// <summary>Part of macOS (<c>/usr/lib</c>, <c>/System/Library</c>; in the dyld shared cache).</summary>
    MacOSSystem,
}

/// <summary>One rule of a <see cref="SystemLibraryPolicy"/>.</summary>
/// <param name="Pattern">A glob ('*' any run of characters, '?' one) matched against the library's file name (Linux:
/// the DT_NEEDED name, case-sensitive; Windows: the DLL name, case-insensitive) or, on macOS, the whole install name.</param>
/// <param name="IsSystem">True: left to the target. False: an explicit "bundle it" rule (e.g. <c>vcruntime140.dll</c>).</param>
/// <param name="Category">The kind of rule.</param>
/// <param name="Reason">One line for the build report: why.</param>
public sealed record SystemLibraryRule(string Pattern, bool IsSystem, SystemLibraryCategory Category, string Reason);

/// <summary>The answer for one library name.</summary>
/// <param name="Name">The name asked about.</param>
/// <param name="IsSystem">True when the library is left to the target system (not bundled).</param>
/// <param name="Category">Which kind of rule decided.</param>
/// <param name="Reason">Why, one line.</param>
/// <param name="Pattern">The rule's pattern, or null when no rule matched (the default: bundle).</param>
public sealed record SystemLibraryDecision(string Name, bool IsSystem, SystemLibraryCategory Category, string Reason, string? Pattern);

/// <summary>
/// Decides which needed libraries are left to the target system and which are bundled, with a reason for each
/// answer so the build report can list what was excluded and why. Rules are tried in order; the first match wins;
/// no match means "bundle".
/// </summary>
/// <remarks>
/// <para>Linux: the glibc family (<see cref="GlibcRules"/>) and the vDSO are never bundled: libc, libm, libpthread,
/// libdl, librt and the others must come from the same glibc build as the target's ld.so. libcrypt.so.1/.2 are
/// libxcrypt, a separate project, and are bundled; so are libstdc++ and libgcc_s (backward compatible, and newer
/// than the target's is what the app needs). <see cref="LinuxDisplayRules"/> lists X11/Wayland, fonts, ALSA and
/// GL/EGL/DRM/NVIDIA driver libraries, left to the target for GUI apps.</para>
/// <para>Windows: API sets and the DLLs of System32 (<see cref="WindowsRules"/>). The Universal CRT
/// (<c>ucrtbase.dll</c>, <c>api-ms-win-crt-*</c>) is part of Windows 10 and later (and of 8.1 with KB2999226,
/// which CPython 3.9+ requires), so it is system; the Visual C++ runtime (<c>vcruntime140*.dll</c>,
/// <c>msvcp140*.dll</c> …) is not part of Windows and is bundled.</para>
/// <para>macOS: everything under <c>/usr/lib/</c> and <c>/System/Library/</c> (<see cref="MacOSRules"/>).</para>
/// </remarks>
public sealed class SystemLibraryPolicy
{
    private const string GlibcReason = "part of glibc: must come from the same glibc as the target's ld.so; never bundled";

    /// <summary>Linux rules: the glibc family, the vDSO names, and the libraries that look like glibc but are not.</summary>
    public static IReadOnlyList<SystemLibraryRule> GlibcRules { get; } =
    [
        new("libcrypt.so.1", false, SystemLibraryCategory.Bundled, "libxcrypt, a separate project from glibc (glibc's libcrypt is gone since 2.39): bundled"),
        new("libcrypt.so.2", false, SystemLibraryCategory.Bundled, "libxcrypt with the new ABI, not part of glibc: bundled"),
        new("libnsl.so.2", false, SystemLibraryCategory.Bundled, "libnsl 2 (the separate TI-RPC based project), not glibc's libnsl.so.1: bundled"),
        new("ld-linux*.so*", true, SystemLibraryCategory.Glibc, "the dynamic linker (ld.so) itself: " + GlibcReason),
        new("ld64.so.*", true, SystemLibraryCategory.Glibc, "the dynamic linker of ppc64/s390x: " + GlibcReason),
        new("ld.so.*", true, SystemLibraryCategory.Glibc, "the dynamic linker of some ports (ppc32, mips, s390): " + GlibcReason),
        new("libc.so.6", true, SystemLibraryCategory.Glibc, "the C library: " + GlibcReason),
        new("libc.so.6.1", true, SystemLibraryCategory.Glibc, "the C library (alpha/ia64 name): " + GlibcReason),
        new("libm.so.6", true, SystemLibraryCategory.Glibc, "the math library: " + GlibcReason),
        new("libm.so.6.1", true, SystemLibraryCategory.Glibc, "the math library (alpha/ia64 name): " + GlibcReason),
        new("libmvec.so.1", true, SystemLibraryCategory.Glibc, "vector math: " + GlibcReason),
        new("libpthread.so.0", true, SystemLibraryCategory.Glibc, "POSIX threads (merged into libc since 2.34): " + GlibcReason),
        new("libdl.so.2", true, SystemLibraryCategory.Glibc, "dlopen (merged into libc since 2.34): " + GlibcReason),
        new("librt.so.1", true, SystemLibraryCategory.Glibc, "POSIX realtime (merged into libc since 2.34): " + GlibcReason),
        new("libutil.so.1", true, SystemLibraryCategory.Glibc, "openpty/forkpty (merged into libc since 2.34): " + GlibcReason),
        new("libanl.so.1", true, SystemLibraryCategory.Glibc, "asynchronous name lookup: " + GlibcReason),
        new("libresolv.so.2", true, SystemLibraryCategory.Glibc, "DNS resolver: " + GlibcReason),
        new("libnss_*.so*", true, SystemLibraryCategory.Glibc, "NSS service module, loaded by the target's glibc per its /etc/nsswitch.conf; never bundled"),
        new("libBrokenLocale.so.1", true, SystemLibraryCategory.Glibc, "compatibility locale library: " + GlibcReason),
        new("libc_malloc_debug.so.0", true, SystemLibraryCategory.Glibc, "malloc debugging hooks: " + GlibcReason),
        new("libthread_db.so.1", true, SystemLibraryCategory.Glibc, "debugger thread support: " + GlibcReason),
        new("libmemusage.so", true, SystemLibraryCategory.Glibc, "memusage(1) preload library: " + GlibcReason),
        new("libpcprofile.so", true, SystemLibraryCategory.Glibc, "PC profiling preload library: " + GlibcReason),
        new("libSegFault.so", true, SystemLibraryCategory.Glibc, "catchsegv preload library (glibc < 2.35): " + GlibcReason),
        new("libnsl.so.1", true, SystemLibraryCategory.Glibc, "glibc's compatibility libnsl: " + GlibcReason),
        new("libcidn.so.1", true, SystemLibraryCategory.Glibc, "IDN helper (glibc < 2.34): " + GlibcReason),
        new("linux-vdso.so.1", true, SystemLibraryCategory.KernelVdso, "the kernel's virtual DSO, mapped into every process; no file exists"),
        new("linux-gate.so.1", true, SystemLibraryCategory.KernelVdso, "the kernel's virtual DSO (i386), mapped into every process; no file exists"),
        new("linux-vdso32.so.1", true, SystemLibraryCategory.KernelVdso, "the kernel's virtual DSO (32-bit ppc/s390), mapped into every process; no file exists"),
        new("linux-vdso64.so.1", true, SystemLibraryCategory.KernelVdso, "the kernel's virtual DSO (64-bit ppc/s390), mapped into every process; no file exists"),
    ];

    /// <summary>Linux display, font, audio and GPU libraries that are left to the target for GUI apps, each with its
    /// reason: they talk to the target's X server/compositor, drivers, fonts and configuration, and the distribution's
    /// copies match those.</summary>
    public static IReadOnlyList<SystemLibraryRule> LinuxDisplayRules { get; } =
    [
        new("libX11.so*", true, SystemLibraryCategory.DisplayAndGpu, "Xlib: talks to the target's X server; present wherever there is a display"),
        new("libX11-xcb.so*", true, SystemLibraryCategory.DisplayAndGpu, "Xlib/XCB bridge: part of the target's X client stack"),
        new("libxcb*.so*", true, SystemLibraryCategory.DisplayAndGpu, "XCB and its extensions: libxcb-dri* change ABI between releases and come with the target's GL stack"),
        new("libXau.so*", true, SystemLibraryCategory.DisplayAndGpu, "X authorization: part of the target's X client stack"),
        new("libXdmcp.so*", true, SystemLibraryCategory.DisplayAndGpu, "X display manager protocol: part of the target's X client stack"),
        new("libXext.so*", true, SystemLibraryCategory.DisplayAndGpu, "X extensions: part of the target's X client stack"),
        new("libXrender.so*", true, SystemLibraryCategory.DisplayAndGpu, "X Render extension: part of the target's X client stack"),
        new("libXft.so*", true, SystemLibraryCategory.DisplayAndGpu, "X FreeType font rendering: must agree with the target's fontconfig and fonts"),
        new("libfontconfig.so*", true, SystemLibraryCategory.DisplayAndGpu, "fontconfig: reads the target's /etc/fonts, whose format follows the installed version"),
        new("libfreetype.so*", true, SystemLibraryCategory.DisplayAndGpu, "FreeType: shared with the target's fontconfig and toolkit (mixing copies crashes)"),
        new("libGL.so*", true, SystemLibraryCategory.DisplayAndGpu, "OpenGL (libglvnd): dispatches to the target's GPU driver"),
        new("libGLX*.so*", true, SystemLibraryCategory.DisplayAndGpu, "GLX (libglvnd and vendor GLX): must match the target's GPU driver"),
        new("libGLdispatch.so*", true, SystemLibraryCategory.DisplayAndGpu, "libglvnd dispatch: must match the target's GL stack"),
        new("libEGL*.so*", true, SystemLibraryCategory.DisplayAndGpu, "EGL (libglvnd and vendor EGL): must match the target's GPU driver"),
        new("libGLES*.so*", true, SystemLibraryCategory.DisplayAndGpu, "OpenGL ES: must match the target's GPU driver"),
        new("libOpenGL.so*", true, SystemLibraryCategory.DisplayAndGpu, "libglvnd OpenGL: must match the target's GPU driver"),
        new("libdrm*.so*", true, SystemLibraryCategory.DisplayAndGpu, "Direct Rendering Manager: must match the target's kernel and GPU driver"),
        new("libgbm.so*", true, SystemLibraryCategory.DisplayAndGpu, "Mesa GBM: must match the target's GPU driver"),
        new("libwayland-*.so*", true, SystemLibraryCategory.DisplayAndGpu, "Wayland client libraries: talk to the target's compositor"),
        new("libasound.so*", true, SystemLibraryCategory.DisplayAndGpu, "ALSA: reads the target's alsa.conf and plugins, which follow the installed version"),
        new("libcuda.so*", true, SystemLibraryCategory.DisplayAndGpu, "CUDA driver API: part of the NVIDIA driver, must match the target's kernel module"),
        new("libnvidia-*.so*", true, SystemLibraryCategory.DisplayAndGpu, "NVIDIA driver component: must match the target's kernel module"),
        new("lib*_nvidia.so*", true, SystemLibraryCategory.DisplayAndGpu, "NVIDIA GLX/EGL vendor library: must match the target's kernel module"),
    ];

    private const string WinSystemReason = "ships with every supported Windows (System32); never bundled";
    private const string VcRedistReason = "Visual C++ runtime: not part of Windows (Visual C++ Redistributable), so it is bundled next to the app";

    /// <summary>Windows rules: the Visual C++ runtime (bundled), API sets and the System32 DLLs (system).</summary>
    public static IReadOnlyList<SystemLibraryRule> WindowsRules { get; } = BuildWindowsRules();

    /// <summary>macOS rules: the OS's own directories.</summary>
    public static IReadOnlyList<SystemLibraryRule> MacOSRules { get; } =
    [
        new("/usr/lib/*", true, SystemLibraryCategory.MacOSSystem, "part of macOS (/usr/lib, in the dyld shared cache); never bundled"),
        new("/System/Library/*", true, SystemLibraryCategory.MacOSSystem, "an Apple system framework (/System/Library); never bundled"),
        new("/System/iOSSupport/*", true, SystemLibraryCategory.MacOSSystem, "Mac Catalyst system framework; never bundled"),
    ];

    private static List<SystemLibraryRule> BuildWindowsRules()
    {
        var rules = new List<SystemLibraryRule>
        {
            new("vcruntime140*.dll", false, SystemLibraryCategory.Bundled, VcRedistReason),
            new("msvcp140*.dll", false, SystemLibraryCategory.Bundled, VcRedistReason),
            new("concrt140.dll", false, SystemLibraryCategory.Bundled, VcRedistReason),
            new("vcomp140.dll", false, SystemLibraryCategory.Bundled, "OpenMP runtime of Visual C++: not part of Windows; bundled"),
            new("vccorlib140.dll", false, SystemLibraryCategory.Bundled, VcRedistReason),
            new("msvcr1*.dll", false, SystemLibraryCategory.Bundled, "older Visual C++ runtime (2010–2013): not part of Windows; bundled"),
            new("msvcp1*.dll", false, SystemLibraryCategory.Bundled, "older Visual C++ runtime (2010–2013): not part of Windows; bundled"),
            new("msvcr9*.dll", false, SystemLibraryCategory.Bundled, "Visual C++ 2008 runtime: not part of Windows; bundled"),
            new("api-ms-win-crt-*.dll", true, SystemLibraryCategory.WindowsApiSet,
                "Universal CRT API set: resolved to ucrtbase.dll, part of Windows 10+ (8.1 with KB2999226); never bundled"),
            new("api-ms-win-*.dll", true, SystemLibraryCategory.WindowsApiSet, "API set contract: the loader maps it to a system DLL; no such file exists"),
            new("ext-ms-*.dll", true, SystemLibraryCategory.WindowsApiSet, "extension API set contract: the loader maps it to a system DLL, if present"),
            new("ucrtbase.dll", true, SystemLibraryCategory.WindowsSystem, "the Universal CRT: part of Windows 10+ (8.1 with KB2999226); never bundled"),
            new("msvcrt.dll", true, SystemLibraryCategory.WindowsSystem, "the system C runtime (used by MinGW builds): part of Windows; never bundled"),
        };
        string[] system =
        [
            "kernel32", "kernelbase", "ntdll", "user32", "gdi32", "gdi32full", "win32u", "advapi32", "shell32", "shlwapi",
            "ole32", "oleaut32", "combase", "ws2_32", "wsock32", "mswsock", "comctl32", "comdlg32", "crypt32", "cryptbase",
            "cryptsp", "bcrypt", "bcryptprimitives", "ncrypt", "secur32", "sspicli", "version", "winmm", "setupapi",
            "cfgmgr32", "iphlpapi", "dnsapi", "userenv", "rpcrt4", "imm32", "uxtheme", "dwmapi", "mpr", "netapi32",
            "psapi", "dbghelp", "dbgcore", "wininet", "winhttp", "urlmon", "wintrust", "wldap32", "msimg32", "opengl32",
            "glu32", "d3d9", "d3d10", "d3d10_1", "d3d11", "d3d12", "dxgi", "d2d1", "dwrite", "d3dcompiler_47", "hid",
            "powrprof", "normaliz", "wtsapi32", "oleacc", "propsys", "credui", "msi", "avrt", "shcore", "dsound",
            "dinput8", "xinput1_4", "xinput9_1_0", "cabinet", "msasn1", "wevtapi", "pdh", "authz", "mfplat", "mf",
            "mfreadwrite", "ksuser", "winusb", "usp10", "msacm32", "avifil32", "msvfw32", "ntdsapi", "dhcpcsvc",
            "fwpuclnt", "wer", "tdh", "virtdisk", "winspool", "windowscodecs", "gdiplus", "mscoree", "odbc32",
            "oledlg", "winscard", "wlanapi", "sensapi", "rasapi32", "ntmarta", "profapi", "clbcatq", "apphelp",
            "dxcore", "comsvcs", "esent", "hhctrl", "msctf", "nsi", "resutils", "srvcli", "netutils",
            "wkscli", "samcli", "logoncli", "dpapi", "cryptnet", "wow64",
        ];
        foreach (var name in system)
            rules.Add(new SystemLibraryRule(name + ".dll", true, SystemLibraryCategory.WindowsSystem, WinSystemReason));
        rules.Add(new SystemLibraryRule("winspool.drv", true, SystemLibraryCategory.WindowsSystem, WinSystemReason));
        return rules;
    }

    private SystemLibraryPolicy(TargetPlatform platform, IReadOnlyList<SystemLibraryRule> rules)
    {
        Platform = platform;
        Rules = rules;
    }

    /// <summary>The platform the rules are for.</summary>
    public TargetPlatform Platform { get; }

    /// <summary>The rules in the order they are tried.</summary>
    public IReadOnlyList<SystemLibraryRule> Rules { get; }

    /// <summary>The Linux policy: <see cref="GlibcRules"/>, plus <see cref="LinuxDisplayRules"/> when
    /// <paramref name="leaveDisplayLibrariesToSystem"/>.</summary>
    /// <param name="leaveDisplayLibrariesToSystem">Leave X11/Wayland, fonts, ALSA and GL/DRM/NVIDIA libraries to the
    /// target (default true; false bundles them, for targets known to lack them).</param>
    public static SystemLibraryPolicy Linux(bool leaveDisplayLibrariesToSystem = true) =>
        new(TargetPlatform.Linux, leaveDisplayLibrariesToSystem ? [.. GlibcRules, .. LinuxDisplayRules] : GlibcRules);

    /// <summary>The Windows policy (<see cref="WindowsRules"/>).</summary>
    public static SystemLibraryPolicy Windows() => new(TargetPlatform.Windows, WindowsRules);

    /// <summary>The macOS policy (<see cref="MacOSRules"/>).</summary>
    public static SystemLibraryPolicy MacOS() => new(TargetPlatform.MacOS, MacOSRules);

    /// <summary>The default policy for <paramref name="platform"/>.</summary>
    public static SystemLibraryPolicy For(TargetPlatform platform) => platform switch
    {
        TargetPlatform.Linux => Linux(),
        TargetPlatform.Windows => Windows(),
        _ => MacOS(),
    };

    /// <summary>A policy whose <paramref name="rules"/> are tried before these (user excludes/includes).</summary>
    /// <param name="rules">Rules that take precedence.</param>
    public SystemLibraryPolicy WithRulesFirst(IEnumerable<SystemLibraryRule> rules) => new(Platform, [.. rules, .. Rules]);

    /// <summary>Decides <paramref name="name"/>: the first matching rule, or "bundle" when none matches.</summary>
    /// <param name="name">Linux: a DT_NEEDED name or path (its file name is matched). Windows: a DLL name (file name,
    /// case-insensitive). macOS: an install name (the whole string is matched).</param>
    public SystemLibraryDecision Decide(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var subject = Platform switch
        {
            TargetPlatform.MacOS => name,
            TargetPlatform.Windows => PosixPath.GetFileName(name.Replace('\\', '/')),
            _ => PosixPath.GetFileName(name),
        };
        var ignoreCase = Platform == TargetPlatform.Windows;
        foreach (var r in Rules)
            if (Glob(r.Pattern, subject, ignoreCase))
                return new SystemLibraryDecision(name, r.IsSystem, r.Category, r.Reason, r.Pattern);
        return new SystemLibraryDecision(name, false, SystemLibraryCategory.Bundled,
            $"not a system library of {Platform}: bundled", null);
    }

    /// <summary>True when <paramref name="name"/> is left to the target (see <see cref="Decide"/>).</summary>
    public bool IsSystem(string name) => Decide(name).IsSystem;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, bool), Matcher> Matchers = new();

    /// <summary>Glob match through Microsoft.Extensions.FileSystemGlobbing: <c>*</c> is any run of characters within
    /// one path segment, <c>**</c> any number of segments; a pattern ending in <c>/*</c> (<c>/usr/lib/*</c>) takes
    /// everything below that folder, as install names under it are all the system's.</summary>
    internal static bool Glob(string pattern, string text, bool ignoreCase)
    {
        var matcher = Matchers.GetOrAdd((pattern, ignoreCase), static key =>
        {
            var (p, ic) = key;
            var m = new Matcher(ic ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
            p = p.TrimStart('/');
            m.AddInclude(p.EndsWith("/*", StringComparison.Ordinal) ? p + "*/*" : p);
            if (p.EndsWith("/*", StringComparison.Ordinal))
                m.AddInclude(p);
            return m;
        });
        text = text.TrimStart('/');
        return text.Length > 0 ? matcher.Match(text).HasMatches : pattern.Trim('*').Length == 0;
    }
}

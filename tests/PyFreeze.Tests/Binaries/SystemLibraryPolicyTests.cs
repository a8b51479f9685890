using PyFreeze.Binaries;

namespace PyFreeze.Tests.Binaries;

[Trait("Lane", "Fast")]
public class SystemLibraryPolicyTests
{
    [Theory]
    [InlineData("libc.so.6", true, SystemLibraryCategory.Glibc)]
    [InlineData("libm.so.6", true, SystemLibraryCategory.Glibc)]
    [InlineData("libpthread.so.0", true, SystemLibraryCategory.Glibc)]
    [InlineData("libdl.so.2", true, SystemLibraryCategory.Glibc)]
    [InlineData("librt.so.1", true, SystemLibraryCategory.Glibc)]
    [InlineData("libutil.so.1", true, SystemLibraryCategory.Glibc)]
    [InlineData("libresolv.so.2", true, SystemLibraryCategory.Glibc)]
    [InlineData("libnss_files.so.2", true, SystemLibraryCategory.Glibc)]
    [InlineData("libanl.so.1", true, SystemLibraryCategory.Glibc)]
    [InlineData("libBrokenLocale.so.1", true, SystemLibraryCategory.Glibc)]
    [InlineData("libmvec.so.1", true, SystemLibraryCategory.Glibc)]
    [InlineData("libc_malloc_debug.so.0", true, SystemLibraryCategory.Glibc)]
    [InlineData("libthread_db.so.1", true, SystemLibraryCategory.Glibc)]
    [InlineData("ld-linux-x86-64.so.2", true, SystemLibraryCategory.Glibc)]
    [InlineData("/lib64/ld-linux-x86-64.so.2", true, SystemLibraryCategory.Glibc)]
    [InlineData("ld-linux-aarch64.so.1", true, SystemLibraryCategory.Glibc)]
    [InlineData("linux-vdso.so.1", true, SystemLibraryCategory.KernelVdso)]
    [InlineData("libcrypt.so.1", false, SystemLibraryCategory.Bundled)]
    [InlineData("libnss3.so", false, SystemLibraryCategory.Bundled)]
    [InlineData("libnsl.so.2", false, SystemLibraryCategory.Bundled)]
    [InlineData("libssl.so.3", false, SystemLibraryCategory.Bundled)]
    [InlineData("libstdc++.so.6", false, SystemLibraryCategory.Bundled)]
    [InlineData("libgcc_s.so.1", false, SystemLibraryCategory.Bundled)]
    [InlineData("libpython3.11.so.1.0", false, SystemLibraryCategory.Bundled)]
    [InlineData("libX11.so.6", true, SystemLibraryCategory.DisplayAndGpu)]
    [InlineData("libxcb-shm.so.0", true, SystemLibraryCategory.DisplayAndGpu)]
    [InlineData("libGLX_mesa.so.0", true, SystemLibraryCategory.DisplayAndGpu)]
    [InlineData("libfreetype.so.6", true, SystemLibraryCategory.DisplayAndGpu)]
    [InlineData("libwayland-client.so.0", true, SystemLibraryCategory.DisplayAndGpu)]
    [InlineData("libasound.so.2", true, SystemLibraryCategory.DisplayAndGpu)]
    public void Linux(string name, bool system, SystemLibraryCategory category)
    {
        var d = SystemLibraryPolicy.Linux().Decide(name);
        Assert.Equal(system, d.IsSystem);
        Assert.Equal(category, d.Category);
        Assert.False(string.IsNullOrWhiteSpace(d.Reason));
    }

    [Fact]
    public void LinuxWithoutTheDisplayListBundlesX11ButNeverGlibc()
    {
        var p = SystemLibraryPolicy.Linux(leaveDisplayLibrariesToSystem: false);
        Assert.False(p.IsSystem("libX11.so.6"));
        Assert.True(p.IsSystem("libc.so.6"));
        var crypt = p.Decide("libcrypt.so.1");
        Assert.Contains("libxcrypt", crypt.Reason);
        Assert.Equal("libcrypt.so.1", crypt.Pattern);
    }

    [Fact]
    public void EveryDisplayRuleHasItsOwnReason()
    {
        Assert.All(SystemLibraryPolicy.LinuxDisplayRules, r => Assert.True(r.Reason.Length > 20, r.Pattern));
        Assert.Equal(SystemLibraryPolicy.LinuxDisplayRules.Count, SystemLibraryPolicy.LinuxDisplayRules.Select(r => r.Reason).Distinct().Count());
    }

    [Theory]
    [InlineData("KERNEL32.dll", true, SystemLibraryCategory.WindowsSystem)]
    [InlineData("kernel32.DLL", true, SystemLibraryCategory.WindowsSystem)]
    [InlineData("USER32.dll", true, SystemLibraryCategory.WindowsSystem)]
    [InlineData("ntdll.dll", true, SystemLibraryCategory.WindowsSystem)]
    [InlineData("WS2_32.dll", true, SystemLibraryCategory.WindowsSystem)]
    [InlineData("bcrypt.dll", true, SystemLibraryCategory.WindowsSystem)]
    [InlineData("msvcrt.dll", true, SystemLibraryCategory.WindowsSystem)]
    [InlineData("ucrtbase.dll", true, SystemLibraryCategory.WindowsSystem)]
    [InlineData("WINSPOOL.DRV", true, SystemLibraryCategory.WindowsSystem)]
    [InlineData("api-ms-win-crt-runtime-l1-1-0.dll", true, SystemLibraryCategory.WindowsApiSet)]
    [InlineData("api-ms-win-core-synch-l1-2-0.dll", true, SystemLibraryCategory.WindowsApiSet)]
    [InlineData("ext-ms-win-ntuser-window-l1-1-0.dll", true, SystemLibraryCategory.WindowsApiSet)]
    [InlineData("VCRUNTIME140.dll", false, SystemLibraryCategory.Bundled)]
    [InlineData("vcruntime140_1.dll", false, SystemLibraryCategory.Bundled)]
    [InlineData("MSVCP140.dll", false, SystemLibraryCategory.Bundled)]
    [InlineData("msvcp140_2.dll", false, SystemLibraryCategory.Bundled)]
    [InlineData("python311.dll", false, SystemLibraryCategory.Bundled)]
    [InlineData("libssl-3-x64.dll", false, SystemLibraryCategory.Bundled)]
    public void Windows(string name, bool system, SystemLibraryCategory category)
    {
        var d = SystemLibraryPolicy.Windows().Decide(name);
        Assert.Equal(system, d.IsSystem);
        Assert.Equal(category, d.Category);
    }

    [Fact]
    public void VcRuntimeIsBundledWithAReasonUcrtIsNot()
    {
        var p = SystemLibraryPolicy.Windows();
        Assert.Contains("not part of Windows", p.Decide("VCRUNTIME140.dll").Reason);
        Assert.Contains("Windows 10", p.Decide("ucrtbase.dll").Reason);
        Assert.Contains("ucrtbase", p.Decide("api-ms-win-crt-heap-l1-1-0.dll").Reason);
    }

    [Theory]
    [InlineData("/usr/lib/libSystem.B.dylib", true)]
    [InlineData("/usr/lib/libc++.1.dylib", true)]
    [InlineData("/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation", true)]
    [InlineData("@rpath/libssl.3.dylib", false)]
    [InlineData("/usr/local/opt/openssl@3/lib/libssl.3.dylib", false)]
    [InlineData("/Library/Frameworks/Python.framework/Versions/3.11/Python", false)]
    [InlineData("/opt/homebrew/lib/libz.1.dylib", false)]
    public void MacOS(string installName, bool system)
    {
        var d = SystemLibraryPolicy.MacOS().Decide(installName);
        Assert.Equal(system, d.IsSystem);
        Assert.Equal(system ? SystemLibraryCategory.MacOSSystem : SystemLibraryCategory.Bundled, d.Category);
    }

    [Fact]
    public void UserRulesComeFirst()
    {
        var p = SystemLibraryPolicy.Linux().WithRulesFirst([new("libGL.so.1", false, SystemLibraryCategory.Bundled, "the target has no GPU stack")]);
        Assert.False(p.IsSystem("libGL.so.1"));
        Assert.Equal("the target has no GPU stack", p.Decide("libGL.so.1").Reason);
        Assert.True(p.IsSystem("libEGL.so.1"));
    }

    [Theory]
    [InlineData("lib*.so*", "libfoo.so.1", true)]
    [InlineData("libnss_*.so*", "libnss3.so", false)]
    [InlineData("/usr/lib/*", "/usr/lib/libSystem.B.dylib", true)]
    [InlineData("/usr/lib/*", "/usr/lib/swift/libswiftCore.dylib", true)]
    [InlineData("/usr/lib/*", "/usr/local/lib/libz.dylib", false)]
    [InlineData("*", "", true)]
    [InlineData("x*y*z", "xaaybbz", true)]
    [InlineData("x*y*z", "xaaybb", false)]
    public void GlobMatching(string pattern, string text, bool match) =>
        Assert.Equal(match, SystemLibraryPolicy.Glob(pattern, text, false));
}

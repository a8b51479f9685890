using System.Xml;
using PyFreeze.Assemble;
using PyFreeze.Build;
using PyFreeze.Diagnostics;
using PyFreeze.Emit;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cross;

/// <summary>
/// osx-arm64 from this Linux host, structurally: the .NET packs it needs are not reachable here, so their absence must be
/// a clear error naming them; the <c>--windowed</c> .app layout and its Info.plist, the bundle identifier and the .icns
/// icon are checked without a macOS build.
/// </summary>
public class CrossMacTests
{
    private static BuildSettings Options(TempDir t, Func<BuildSettings, BuildSettings>? more = null)
    {
        var o = new BuildSettings
        {
            Entry = t.Write("app/app.py", "print('hi')\n"),
            Python = Pythons.Debian,
            DistPath = t["dist"],
            WorkPath = t["build"],
            Target = "osx-arm64",
            Log = new Log(LogLevel.Warn, TextWriter.Null),
        };
        return more is null ? o : more(o);
    }

    /// <summary>A minimal .icns: the header and one element.</summary>
    private static byte[] Icns()
    {
        var data = new byte[16 + 8];
        "icns"u8.CopyTo(data);
        data[7] = (byte)data.Length;
        "ic07"u8.CopyTo(data.AsSpan(8));
        data[15] = 16;
        return data;
    }

    [Fact]
    public void Cross_osx_arm64_without_packs_names_the_missing_packages()
    {
        using var t = new TempDir("xmac");
        Directory.CreateDirectory(t["packs"]);
        var e = Assert.Throws<PyFreezeException>(() => HostPacks.Require(Rid.Parse("osx-arm64"), t["packs"], nugetCache: t["nuget"], dotnetRoot: t["dotnet"]));
        Assert.Contains("Microsoft.NETCore.App.Host.osx-arm64", e.Message);
        Assert.Contains("Microsoft.NETCore.App.Runtime.osx-arm64", e.Message);
        Assert.Contains("--host-pack", e.Message);
        Assert.Equal(2, e.ExitCode);

        File.WriteAllBytes(t["packs/Microsoft.NETCore.App.Host.osx-arm64.10.0.0.nupkg"], []);
        e = Assert.Throws<PyFreezeException>(() => HostPacks.Require(Rid.Parse("osx-arm64"), t["packs"], nugetCache: t["nuget"], dotnetRoot: t["dotnet"]));
        Assert.DoesNotContain("App.Host", e.Message);
        Assert.Contains("Microsoft.NETCore.App.Runtime.osx-arm64", e.Message);
        Directory.CreateDirectory(t["nuget/microsoft.netcore.app.runtime.osx-arm64/10.0.0"]);
        HostPacks.Require(Rid.Parse("osx-arm64"), t["packs"], nugetCache: t["nuget"], dotnetRoot: t["dotnet"]);

        Assert.Contains("no such folder", Assert.Throws<PyFreezeException>(() => HostPacks.Require(Rid.Parse("osx-arm64"), t["nope"])).Message);

        // The build itself: a --host-pack folder that does not exist stops it first, with nothing in dist/.
        var build = Assert.Throws<PyFreezeException>(() => new BuildPipeline(Options(t, o => o with { HostPack = t["dotnet"] + "-empty" })).Run());
        Assert.Contains("--host-pack", build.Message);
        Assert.False(Directory.Exists(t["dist"]) && Directory.EnumerateFileSystemEntries(t["dist"]).Any());
    }

    [Fact]
    public void Cross_osx_arm64_bundle_identifier_and_icns_are_validated_first()
    {
        foreach (var good in new[] { "com.example.myapp", "org.example.my-app2", "A.B" })
            Assert.Equal(good, MacAppBundle.ValidateIdentifier(good));
        foreach (var (bad, why) in new[] { ("com.example.my_app", "'_' is not allowed"), ("myapp", "two or more"), ("com..x", "none empty"), ("com.exa mple", "' ' is not allowed"), ("com.é.x", "'é' is not allowed") })
        {
            var e = Assert.Throws<PyFreezeException>(() => MacAppBundle.ValidateIdentifier(bad));
            Assert.Contains(why, e.Message);
            Assert.Contains("--bundle-identifier " + bad, e.Message);
        }
        Assert.Equal("org.pyfreeze.my-app", MacAppBundle.DefaultIdentifier("my app"));

        using var t = new TempDir("xmacid");
        var build = Assert.Throws<PyFreezeException>(() => new BuildPipeline(Options(t, o => o with { Windowed = true, BundleIdentifier = "bad id" })).Run());
        Assert.Contains("not a bundle identifier", build.Message);
        File.WriteAllBytes(t["logo.ico"], [0, 0, 1, 0, 1, 0]);
        var icon = Assert.Throws<PyFreezeException>(() => new BuildPipeline(Options(t, o => o with { Windowed = true, Icon = t["logo.ico"] })).Run());
        Assert.Contains("not a macOS .icns file", icon.Message);
        File.WriteAllBytes(t["good.icns"], Icns());
        MacAppBundle.ValidateIcns(t["good.icns"]);
        Assert.False(Directory.Exists(t["dist"]) && Directory.EnumerateFileSystemEntries(t["dist"]).Any());
    }

    [Fact]
    public void Cross_osx_arm64_app_layout_and_info_plist()
    {
        using var t = new TempDir("xmacapp");
        File.WriteAllBytes(t["exe"], [0xcf, 0xfa, 0xed, 0xfe]);
        File.WriteAllBytes(t["icon.icns"], Icns());
        var app = MacAppBundle.Create(t["exe"], "R&D <Tool>", "com.example.rd-tool", "1.2.3", t["icon.icns"], t["out"]);

        Assert.Equal(t["out/R&D <Tool>.app"], app);
        var exe = Path.Combine(app, "Contents", "MacOS", "R&D <Tool>");
        Assert.True(File.Exists(exe));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(exe));
        Assert.Equal(Icns(), File.ReadAllBytes(Path.Combine(app, "Contents", "Resources", "R&D <Tool>.icns")));
        Assert.Equal("APPL????", File.ReadAllText(Path.Combine(app, "Contents", "PkgInfo")));

        var doc = new XmlDocument();
        using (var reader = XmlReader.Create(Path.Combine(app, "Contents", "Info.plist"), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore }))
            doc.Load(reader);
        Assert.Equal("plist", doc.DocumentElement!.Name);
        var dict = doc.DocumentElement["dict"]!;
        var values = new Dictionary<string, string>();
        for (var key = dict.FirstChild; key is not null; key = key.NextSibling?.NextSibling)
        {
            Assert.Equal("key", key.Name);
            values[key.InnerText] = key.NextSibling!.Name is "true" or "false" ? key.NextSibling.Name : key.NextSibling.InnerText;
        }
        Assert.Equal("R&D <Tool>", values["CFBundleExecutable"]);
        Assert.Equal("R&D <Tool>", values["CFBundleName"]);
        Assert.Equal("com.example.rd-tool", values["CFBundleIdentifier"]);
        Assert.Equal("R&D <Tool>.icns", values["CFBundleIconFile"]);
        Assert.Equal("APPL", values["CFBundlePackageType"]);
        Assert.Equal("1.2.3", values["CFBundleShortVersionString"]);
        Assert.Equal("true", values["NSHighResolutionCapable"]);

        // Without an icon the CFBundleIconFile key is left out.
        var plain = MacAppBundle.Create(t["exe"], "plain", "com.example.plain", "0.0.0", null, t["out2"]);
        Assert.DoesNotContain("CFBundleIconFile", File.ReadAllText(Path.Combine(plain, "Contents", "Info.plist")));
        Assert.False(Directory.Exists(Path.Combine(plain, "Contents", "Resources")) && Directory.EnumerateFiles(Path.Combine(plain, "Contents", "Resources")).Any());
    }

    [Fact]
    public void Cross_osx_arm64_signing_options_are_checked_before_any_work()
    {
        using var t = new TempDir("xmacs");
        Assert.True(MacSigning.Create(null, null, hostIsMacOS: false).IsAdHoc);
        Assert.True(MacSigning.Create("-", null, hostIsMacOS: false).IsAdHoc);

        // An identity needs Apple's codesign: a clear error off macOS, before the runtime is even opened.
        var e = Assert.Throws<PyFreezeException>(() => MacSigning.Create("Developer ID Application: Example (TEAM123456)", null, hostIsMacOS: false));
        Assert.Contains("codesign", e.Message);
        Assert.Contains("macOS", e.Message);
        Assert.Equal(2, e.ExitCode);
        var build = Assert.Throws<PyFreezeException>(() => new BuildPipeline(Options(t, o => o with { CodesignIdentity = "Developer ID Application: Example" })).Run());
        Assert.Contains("--codesign-identity", build.Message);
        Assert.False(Directory.Exists(t["dist"]));

        // Entitlements must be a property list.
        Assert.Contains("no such file", Assert.Throws<PyFreezeException>(() => MacSigning.Create("-", t["nope.plist"], true)).Message);
        var bad = t.Write("bad.plist", "<plist><dict><key>x</key>");
        Assert.Contains("not a valid XML property list", Assert.Throws<PyFreezeException>(() => MacSigning.Create("-", bad, true)).Message);
        var notPlist = t.Write("np.plist", "<html/>");
        Assert.Contains("not a property list", Assert.Throws<PyFreezeException>(() => MacSigning.Create("-", notPlist, true)).Message);

        // On a Mac: codesign with hardened runtime and a timestamp, as notarization requires.
        var ent = t.Write("app.entitlements", """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0"><dict><key>com.apple.security.cs.allow-unsigned-executable-memory</key><true/></dict></plist>
            """);
        var signing = MacSigning.Create("Developer ID Application: Example", ent, hostIsMacOS: true);
        Assert.False(signing.IsAdHoc);
        Assert.Equal(["--force", "--sign", "Developer ID Application: Example", "--identifier", "libx.dylib", "--timestamp", "--options", "runtime", "--entitlements", ent, "/x/libx.dylib"],
            signing.CodesignArguments("/x/libx.dylib", "libx.dylib"));
        Assert.Equal(["--force", "--sign", "-", "/x/y"], MacSigning.AdHoc.CodesignArguments("/x/y"));
    }
}

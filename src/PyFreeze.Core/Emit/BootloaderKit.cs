using System.Reflection;
using PyFreeze.Cache;
using PyFreeze.Diagnostics;
using PyFreeze.Processes;

namespace PyFreeze.Emit;

/// <summary>
/// The bootloader published for one RID. Made once (with the tool's build for the host RID, or on first use into the
/// build cache, or on another OS's own runner and given with <c>--bootloader-kit</c>) so that building an app never
/// runs the SDK. Two kinds (<c>bootloader/PyFreeze.Bootloader.csproj</c> writes both):
/// <list type="bullet">
/// <item><c>aot</c>: the bootloader compiled by NativeAOT, one native executable that is its own bundle host
/// (<c>kit.txt</c>, <c>bootloader[.exe]</c>);</item>
/// <item><c>singlefile</c>: self-contained, trimmed, ReadyToRun: the files the SDK would bundle and the pristine
/// single-file .NET host (<c>kit.txt</c>, <c>singlefilehost[.exe]</c>, <c>files/…</c>).</item>
/// </list>
/// <c>kit.txt</c> holds <c>kind=</c>, <c>rid=</c>, <c>framework=</c> (the .NET runtime version), <c>pyfreeze=</c> (the
/// PyFreeze version whose payload contract the bootloader speaks), <c>host=</c>, and for a single-file kit
/// <c>assembly=</c> and one <c>file=RELATIVE</c> line per bundled file. A kit without <c>kind=</c> is a single-file kit.
/// <para>Where a build's kit comes from, in this order (the one place this is decided; <see cref="Locate"/>):
/// (1) <c>--bootloader-kit DIR</c>, checked by <see cref="ReadGiven"/> before any work;
/// (2) the kit shipped in the installed package (<see cref="InstalledPackage"/>: the wheel's <c>share/pyfreeze/kits/RID</c>,
/// the .NET tool's <c>kits/RID</c>), checked against the package's hashes: a missing or damaged one is an error naming the
/// file and how to reinstall, never a silent fallback;
/// (3) the checkout's <c>artifacts/kits/RID</c>, which building the solution publishes for the host;
/// (4) a kit published earlier into the build cache;
/// (5) published now with the .NET SDK from the bootloader's source (the checkout's, or the package's
/// <c>bootloader-src/</c>) into the build cache, with <c>--host-pack</c> as an extra package source: NativeAOT for the
/// host RID, and for linux-arm64 on a linux-x64 host with the cross toolchain installed (<see cref="CrossAotToolchain"/>);
/// the single-file host otherwise (<see cref="ChooseAot(PyFreeze.Rid)"/>).
/// A kit for another RID says on the log which of these it came from and which kind it is.</para>
/// </summary>
public sealed class BootloaderKit
{
    /// <summary>The <c>kind=</c> of a NativeAOT kit.</summary>
    public const string Aot = "aot";

    /// <summary>The <c>kind=</c> of a single-file .NET host kit.</summary>
    public const string SingleFile = "singlefile";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> PublishLocks = new(StringComparer.Ordinal);

    /// <summary>The kit's folder.</summary>
    public required string Directory { get; init; }

    /// <summary>The RID it was published for.</summary>
    public required string Rid { get; init; }

    /// <summary>The .NET runtime version bundled (e.g. 10.0.12).</summary>
    public required string Framework { get; init; }

    /// <summary><see cref="Aot"/> or <see cref="SingleFile"/>.</summary>
    public string Kind { get; init; } = SingleFile;

    /// <summary>True for a NativeAOT kit.</summary>
    public bool IsAot => Kind == Aot;

    /// <summary>The PyFreeze version the kit was made by (empty in kits older than the field).</summary>
    public string PyFreezeVersion { get; init; } = "";

    /// <summary>The bootloader's assembly name (<c>PyFreeze.Bootloader</c>).</summary>
    public required string AssemblyName { get; init; }

    /// <summary>The bundle host: the NativeAOT bootloader, or the pristine single-file host (not yet patched with an app name).</summary>
    public required string Host { get; init; }

    /// <summary>Bundle-relative paths of the files to bundle (in <c>files/</c>; none for a NativeAOT kit).</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>Which bootloader this is, for the build's output: "the NativeAOT bootloader for linux-x64 (.NET 10.0.12,
    /// PyFreeze.Bootloader)" or "the .NET 10.0.12 single-file host for linux-arm64 (PyFreeze.Bootloader, ReadyToRun)".</summary>
    public string Description => IsAot
        ? $"the NativeAOT bootloader for {Rid} (.NET {(Framework.Length > 0 ? Framework : "?")}, {AssemblyName})"
        : $"the .NET {(Framework.Length > 0 ? Framework + " " : "")}single-file host for {Rid} ({AssemblyName}, ReadyToRun)";

    /// <summary>Absolute path of a bundled file.</summary>
    public string FilePath(string relative) => Path.Combine(Directory, "files", relative);

    /// <summary>The newest glibc symbol version the host executable needs (its ELF version needs, <c>GLIBC_2.34</c> for a
    /// NativeAOT bootloader linked against glibc 2.34 or newer), for glibc Linux RIDs; null for other RIDs, or when
    /// the host cannot be read as ELF. The app cannot start on an older glibc: the dynamic loader refuses the
    /// bootloader before any of its code runs.</summary>
    public Version? GlibcNeed => _glibcNeed.Value;

    private readonly Lazy<Version?> _glibcNeed;

    /// <summary>Makes a kit record (see <see cref="Read"/>).</summary>
    public BootloaderKit() => _glibcNeed = new Lazy<Version?>(ReadGlibcNeed);

    private Version? ReadGlibcNeed()
    {
        if (!Rid.StartsWith("linux-", StringComparison.Ordinal) || Rid.StartsWith("linux-musl-", StringComparison.Ordinal))
            return null;
        try
        {
            return Binaries.ElfFile.Read(Host).RequiredGlibcVersion;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The oldest glibc an app runs on: the payload's floor (its binaries' newest GLIBC version need and the
    /// file that needs it), raised to <paramref name="bootloaderNeed"/> (by "the bootloader") when that is newer.</summary>
    /// <param name="payloadFloor">The collect stage's floor, or null (no glibc need, or not a glibc target).</param>
    /// <param name="bootloaderNeed">The kit's <see cref="GlibcNeed"/>.</param>
    public static (Version Version, string By)? GlibcFloor((Version Version, string By)? payloadFloor, Version? bootloaderNeed) =>
        bootloaderNeed is not null && (payloadFloor is null || bootloaderNeed > payloadFloor.Value.Version)
            ? (bootloaderNeed, "the bootloader")
            : payloadFloor;

    /// <summary>Reads a kit folder.</summary>
    /// <returns>The kit, or null when the folder holds no complete kit.</returns>
    public static BootloaderKit? Read(string dir)
    {
        var manifest = Path.Combine(dir, "kit.txt");
        if (!File.Exists(manifest))
            return null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new List<string>();
        foreach (var line in File.ReadAllLines(manifest))
        {
            var i = line.IndexOf('=');
            if (i <= 0)
                continue;
            var (k, v) = (line[..i], line[(i + 1)..]);
            if (k == "file")
                files.Add(v);
            else
                values[k] = v;
        }
        var kind = values.GetValueOrDefault("kind", SingleFile);
        if (!values.TryGetValue("rid", out var rid) || !values.TryGetValue("host", out var host) || kind is not (Aot or SingleFile)
            || (kind == SingleFile && files.Count == 0))
            return null;
        var kit = new BootloaderKit
        {
            Directory = dir,
            Rid = rid,
            Kind = kind,
            Framework = values.GetValueOrDefault("framework", ""),
            PyFreezeVersion = values.GetValueOrDefault("pyfreeze", ""),
            AssemblyName = values.GetValueOrDefault("assembly", "PyFreeze.Bootloader"),
            Host = Path.Combine(dir, host),
            Files = files,
        };
        if (!File.Exists(kit.Host) || files.Any(f => !File.Exists(kit.FilePath(f))))
            return null;
        return kit;
    }

    /// <summary>Reads a kit given with <c>--bootloader-kit</c> and checks that it fits this build.</summary>
    /// <param name="dir">The kit's folder.</param>
    /// <param name="rid">The target.</param>
    /// <returns>The kit.</returns>
    /// <exception cref="PyFreezeException">Not a complete kit, or one for another RID, another PyFreeze version or another
    /// .NET major version (one line naming the folder, what it states and what this build needs).</exception>
    public static BootloaderKit ReadGiven(string dir, Rid rid)
    {
        var kit = Read(dir) ?? throw new PyFreezeException($"{dir}: not a complete bootloader kit (kit.txt and the host it names); make one with `dotnet publish bootloader -r {rid.Name} -p:PyFreezeKitDir=DIR`", 2);
        var version = ToolVersion;
        var dotnet = Environment.Version.Major.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string? wrong = kit.Rid != rid.Name ? $"it is for {kit.Rid}, the target is {rid.Name}"
            : kit.PyFreezeVersion != version ? $"it was made by PyFreeze {(kit.PyFreezeVersion.Length > 0 ? kit.PyFreezeVersion : "of an unknown version")}, this is PyFreeze {version}"
            : kit.Framework.Split('.')[0] != dotnet ? $"it holds .NET {(kit.Framework.Length > 0 ? kit.Framework : "of an unknown version")}, this PyFreeze bundles .NET {dotnet}"
            : null;
        if (wrong is not null)
            throw new PyFreezeException($"{dir}: this bootloader kit does not fit: {wrong}; make it with this PyFreeze for {rid.Name}", 2);
        return kit;
    }

    /// <summary>This PyFreeze's version, as kits record it (<c>pyfreeze=</c>).</summary>
    public static string ToolVersion =>
        typeof(BootloaderKit).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>How a RID's kit is compiled on this machine.</summary>
    /// <param name="Aot">True: NativeAOT; false: the single-file host.</param>
    /// <param name="Cross">For NativeAOT for another architecture, the cross toolchain that links it; else null.</param>
    /// <param name="Why">Why it is not NativeAOT (e.g. "NativeAOT compiles only for the operating system it runs on"),
    /// empty when it is.</param>
    public sealed record AotChoice(bool Aot, CrossAotToolchain? Cross, string Why);

    /// <summary>Whether a NativeAOT kit for <paramref name="rid"/> can be compiled on a <paramref name="hostRid"/>
    /// machine. NativeAOT compiles only for the operating system it runs on: the host RID itself, and linux-arm64 on a
    /// linux-x64 host when the cross toolchain is installed (<see cref="CrossAotToolchain"/>). Pure: the toolchain probe
    /// is given.</summary>
    /// <param name="rid">The target RID (<c>linux-arm64</c>).</param>
    /// <param name="hostRid">The RID this runs on (<see cref="PyFreeze.Rid.HostName"/>).</param>
    /// <param name="cross">The cross toolchain found (<see cref="CrossAotToolchain.Find"/>), or null.</param>
    /// <param name="crossMissing">When <paramref name="cross"/> is null: what it lacks (the probe's message).</param>
    public static AotChoice ChooseAot(string rid, string hostRid, CrossAotToolchain? cross, string crossMissing)
    {
        if (rid == hostRid)
            return new AotChoice(true, null, "");
        if (rid == CrossAotToolchain.TargetRid && hostRid == CrossAotToolchain.HostRid)
            return cross is not null
                ? new AotChoice(true, cross, "")
                : new AotChoice(false, null, $"cross-compiling NativeAOT for {rid} needs clang, lld and the aarch64 sysroot ({CrossAotToolchain.DebianPackages}): {crossMissing}");
        return new AotChoice(false, null, $"NativeAOT compiles only for the operating system it runs on ({hostRid}{(hostRid == CrossAotToolchain.HostRid ? $", and {CrossAotToolchain.TargetRid} with a cross toolchain" : "")})");
    }

    /// <summary><see cref="ChooseAot(string, string, CrossAotToolchain?, string)"/> for this machine (the toolchain
    /// probed once per process, and only for a RID that could use it).</summary>
    public static AotChoice ChooseAot(Rid rid)
    {
        if (rid.Name != CrossAotToolchain.TargetRid || PyFreeze.Rid.HostName != CrossAotToolchain.HostRid)
            return ChooseAot(rid.Name, PyFreeze.Rid.HostName, null, "");
        var cross = CrossAotToolchain.Installed(out var missing);
        return ChooseAot(rid.Name, PyFreeze.Rid.HostName, cross, missing);
    }

    /// <summary>True when a NativeAOT kit for <paramref name="rid"/> can be compiled here (<see cref="ChooseAot(Rid)"/>);
    /// otherwise its kit is the single-file host.</summary>
    public static bool CanCompileAot(Rid rid) => ChooseAot(rid).Aot;

    /// <summary>
    /// Finds the kit for a RID: next to the tool (<c>kits/RID</c>), then in the build cache; otherwise publishes
    /// the bootloader project (when its source is known to this build of PyFreeze) into the build cache: NativeAOT when
    /// <see cref="ChooseAot(Rid)"/> says it can be compiled here, else the single-file host. A cross-compiled NativeAOT
    /// publish that fails (e.g. the ILCompiler pack for the RID cannot be restored) is a warning naming the error, and
    /// the single-file host is published instead; the log says which bootloader was published and why.
    /// </summary>
    /// <exception cref="PyFreezeException">No kit and no way to make one (the message says what is missing).</exception>
    public static BootloaderKit Locate(Rid rid, BuildCache cache, Log log, string? hostPackDir = null)
    {
        var how = ChooseAot(rid);
        var existing = Find(rid, cache, how.Aot, out var dir, out var source);
        if (existing is not null)
        {
            if (rid.Name != PyFreeze.Rid.HostName)
                log.Info($"Bootloader for {rid.Name}: {existing.Description}, {source} ({existing.Directory})");
            return existing;
        }
        var project = BootloaderProject();
        var package = InstalledPackage.Current;
        var shipped = package is null ? "" : $"this PyFreeze ships bootloader kits for {(package.Kits.Count == 0 ? "no RID" : string.Join(", ", package.Kits))}; ";
        if (project is null)
            throw new PyFreezeException($"no bootloader kit for {rid.Name}: {shipped}pass --bootloader-kit DIR with a kit published for {rid.Name}, or install the PyFreeze package built for it", 2);
        if (!HostPacks.SdkInstalled())
            throw new PyFreezeException($"no bootloader kit for {rid.Name}: {shipped}publishing one needs the .NET {Environment.Version.Major} SDK, which was not found (dotnet --list-sdks); install it, or pass --bootloader-kit DIR with a kit published for {rid.Name}", 2);
        if (how.Cross is { } cross)
        {
            try
            {
                return PublishOnce(project, rid, dir, hostPackDir, how, log);
            }
            catch (PyFreezeException e)
            {
                log.Warn($"cannot cross-compile the NativeAOT bootloader for {rid.Name} with {cross.Clang}: {e.Message}; using the .NET single-file host instead");
                how = new AotChoice(false, null, $"cross-compiling it failed: {e.Message}");
                if (Find(rid, cache, false, out dir, out _) is { } singleFile)
                    return singleFile;
            }
        }
        return PublishOnce(project, rid, dir, hostPackDir, how, log);
    }

    /// <summary>Publishes the kit <paramref name="how"/> says into <paramref name="dir"/> unless another build in this
    /// process has (builds running in parallel in one process, tests or an IDE host, publish a RID's kit once: the
    /// others wait for it).</summary>
    private static BootloaderKit PublishOnce(string project, Rid rid, string dir, string? hostPackDir, AotChoice how, Log log)
    {
        lock (PublishLocks.GetOrAdd(dir, _ => new object()))
        {
            if (Read(dir) is { } published)
                return published;
            var kind = how.Aot ? $"the NativeAOT bootloader{(how.Cross is { } c ? $" (cross-compiled with {c.Clang})" : "")}"
                : $"the .NET single-file host (no NativeAOT: {how.Why})";
            log.Info($"Bootloader for {rid.Name}: publishing {kind} with the .NET SDK{(hostPackDir is null ? "" : $" and --host-pack {hostPackDir}")} from {Path.GetDirectoryName(project)} (once; cached in {dir})");
            Publish(project, rid.Name, dir, hostPackDir, how.Aot, how.Cross);
            return Read(dir) ?? throw new PyFreezeException($"publishing the bootloader for {rid.Name} left no kit in {dir}");
        }
    }

    /// <summary>The kit for a RID when one exists already (next to the tool, in the checkout's artifacts, or in the
    /// build cache), without publishing; <paramref name="cacheDir"/> is where a published one would go.</summary>
    /// <param name="rid">The RID.</param>
    /// <param name="cache">The build cache.</param>
    /// <param name="cacheDir">Where in the build cache the kit is or would be published.</param>
    /// <param name="aot">The kind of kit to look for in the build cache: NativeAOT, or the single-file host (the one a
    /// machine without the cross toolchain makes); null for the one this machine makes (<see cref="CanCompileAot"/>).</param>
    /// <exception cref="PyFreezeException">The installed package's kit for the RID is missing or damaged.</exception>
    public static BootloaderKit? FindExisting(Rid rid, BuildCache cache, out string cacheDir, bool? aot = null) => Find(rid, cache, aot ?? CanCompileAot(rid), out cacheDir, out _);

    private static BootloaderKit? Find(Rid rid, BuildCache cache, bool aot, out string cacheDir, out string source)
    {
        cacheDir = "";
        source = "the kit shipped with PyFreeze";
        if (InstalledPackage.Current is { } package && package.VerifiedKit(rid.Name) is { } shippedDir)
            return Read(shippedDir) ?? throw new PyFreezeException($"{Path.Combine(shippedDir, "kit.txt")}: not a complete bootloader kit; {InstalledPackage.ReinstallAdvice(package.Channel, package.Version)}", 1);
        source = "the kit built in this checkout";
        var checkoutKits = typeof(BootloaderKit).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "PyFreezeKitsDirectory")?.Value;
        var built = checkoutKits is null ? null : Read(Path.Combine(checkoutKits, rid.Name));
        if (built is not null)
            return built;
        source = "published earlier, from the build cache";
        var project = BootloaderProject();
        var version = typeof(BootloaderKit).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        // the kind is in the key: a single-file kit published before the cross toolchain was installed is not reused after
        var key = BuildCache.Key("kit-2", rid.Name, aot, version, project is null ? "" : SourceStamp(Path.GetDirectoryName(project)!));
        cacheDir = Path.Combine(cache.Root, "kits", $"{rid.Name}-{key[..16]}");
        return Read(cacheDir);
    }

    /// <summary>Publishes the bootloader project for <paramref name="rid"/> into <paramref name="kitDir"/> with <c>dotnet publish</c>.</summary>
    /// <exception cref="PyFreezeException">dotnet is missing or the publish fails (e.g. the RID's runtime pack cannot be restored).</exception>
    /// <param name="project">The bootloader project.</param>
    /// <param name="rid">The RID.</param>
    /// <param name="kitDir">Where the kit goes (replaced).</param>
    /// <param name="hostPackDir">A folder of .NET pack <c>.nupkg</c> files to restore from, or null.</param>
    /// <param name="aot">Compile with NativeAOT (<see cref="CanCompileAot"/>).</param>
    /// <param name="cross">With <paramref name="aot"/> for another architecture: the toolchain to link with
    /// (<see cref="CrossAotToolchain.PublishProperties"/>).</param>
    public static void Publish(string project, string rid, string kitDir, string? hostPackDir = null, bool aot = false, CrossAotToolchain? cross = null)
    {
        var tmp = kitDir + $".{Environment.ProcessId}.tmp";
        var obj = Path.Combine(Path.GetTempPath(), $"pyfreeze-kit-obj-{rid}-{Environment.ProcessId}");
        var args = new List<string>
        {
            "publish", project, "-c", "Release", "-r", rid, "--nologo", "-v", "quiet",
            $"-p:PyFreezeKitDir={tmp}/", $"-p:PyFreezeObjRoot={obj}/", "-o", Path.Combine(obj, "out"),
        };
        if (aot)
            args.Add("-p:PyFreezeAot=true");
        if (aot && cross is not null)
            args.AddRange(cross.PublishProperties);
        if (hostPackDir is not null)
            args.Add($"-p:RestoreAdditionalProjectSources={hostPackDir}");
        var result = ProcessRunner.Run("dotnet", args, timeout: TimeSpan.FromMinutes(15));
        try
        {
            if (result.ExitCode != 0)
            {
                var why = result.StdOut.Split('\n').Concat(result.StdErr.Split('\n')).FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))?.Trim();
                throw new PyFreezeException($"cannot publish the bootloader for {rid}: {why ?? $"dotnet publish exit code {result.ExitCode}"}");
            }
            if (System.IO.Directory.Exists(kitDir))
                System.IO.Directory.Delete(kitDir, true);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(kitDir)!);
            System.IO.Directory.Move(tmp, kitDir);
        }
        finally
        {
            try { System.IO.Directory.Delete(obj, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            try { if (System.IO.Directory.Exists(tmp)) System.IO.Directory.Delete(tmp, true); } catch (IOException) { }
        }
    }

    /// <summary>The bootloader project this build of PyFreeze came from, when it still exists (a source checkout), else
    /// the one shipped as source in the installed package.</summary>
    public static string? BootloaderProject()
    {
        var path = typeof(BootloaderKit).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "PyFreezeBootloaderProject")?.Value;
        return path is not null && File.Exists(path) ? path : InstalledPackage.Current?.BootloaderProject();
    }


    /// <summary>A hash of the bootloader's sources (and the payload contract it links), so edits make a new kit.</summary>
    private static string SourceStamp(string bootloaderDir)
    {
        var payloadDir = Path.GetFullPath(Path.Combine(bootloaderDir, "..", "src", "PyFreeze.Payload"));
        var parts = new List<object>();
        foreach (var dir in new[] { bootloaderDir, payloadDir })
        {
            if (!System.IO.Directory.Exists(dir))
                continue;
            foreach (var f in System.IO.Directory.EnumerateFiles(dir, "*", SearchOption.TopDirectoryOnly)
                         .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
                         .Order(StringComparer.Ordinal))
            {
                parts.Add(Path.GetFileName(f));
                parts.Add(File.ReadAllBytes(f));
            }
        }
        return BuildCache.Key([.. parts]);
    }
}

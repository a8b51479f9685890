using PyFreeze.Binaries;
using PyFreeze.Cache;
using PyFreeze.Diagnostics;
using PyFreeze.Processes;

namespace PyFreeze.Assemble;

/// <summary>
/// Makes a native binary ready for the payload, cached by content:
/// <list type="number">
/// <item>Debug information is removed with binutils' <c>strip --strip-debug</c> when it is on PATH (pyenv's libpython is
/// 23 MB with it, 6 MB without; symbols stay, so ctypes keeps working). A binary of another CPU (a linux-arm64 build's)
/// needs a strip that knows it: the cross binutils' (<c>aarch64-linux-gnu-strip</c>) or LLVM's <c>llvm-strip</c>; without
/// one it is bundled as it is.</item>
/// <item>ELF search paths that name the build machine (<c>RUNPATH=/root/.pyenv/versions/3.11.7/lib</c>) are rewritten:
/// <c>$ORIGIN</c>-relative entries are kept, absolute ones dropped; the interpreter gets <c>$ORIGIN/../lib</c>; a
/// <c>DT_RPATH</c> becomes <c>DT_RUNPATH</c> so the loader path the bootloader sets wins over it (ld.so(8)).</item>
/// <item>For an osx-arm64 target (<paramref name="macSigning"/> given), every Mach-O file gets a valid signature: one
/// already valid (python-build-standalone's, a wheel's) is kept byte for byte; an unsigned or broken one is signed ad
/// hoc (<see cref="MachOCodeSignature"/>), or by <c>codesign</c> with an identity on macOS (<see cref="MacSigning"/>).</item>
/// </list>
/// </summary>
/// <param name="cache">Where prepared copies are kept, by content.</param>
/// <param name="log">Messages.</param>
/// <param name="macSigning">How Mach-O files are signed; null when the target is not macOS.</param>
public sealed class BinaryPreparer(BuildCache cache, Log log, MacSigning? macSigning = null)
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<ushort, string?> StripTools = new();

    /// <summary>The strip for ELF files of <paramref name="elf"/>'s machine: binutils' own <c>strip</c> for this machine's
    /// CPU, else <c>TUPLE-strip</c> or <c>llvm-strip</c> (any version) on PATH; null when none is.</summary>
    private static string? StripToolFor(ElfFile elf) => StripTools.GetOrAdd(elf.Machine, _ =>
    {
        var host = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture;
        var names = elf.Architecture == host ? new List<string> { "strip" } : [];
        if (elf.Architecture != host && LinuxLibraryResolver.MultiarchTuple(elf) is { } tuple)
            names.Add(tuple + "-strip");
        names.Add("llvm-strip");
        names.AddRange(Enumerable.Range(14, 12).Reverse().Select(v => $"llvm-strip-{v}"));
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return names.SelectMany(n => path.Select(d => Path.Combine(d, n))).FirstOrDefault(File.Exists);
    });

    private int _warned;

    /// <summary>Returns the path of the prepared copy of <paramref name="path"/> (in the build cache), or
    /// <paramref name="path"/> itself when it is not ELF.</summary>
    /// <param name="path">The binary.</param>
    /// <param name="isInterpreter">True for the interpreter executable (its libraries are in <c>../lib</c>).</param>
    /// <exception cref="PyFreezeException">A Mach-O file cannot be signed (no room for the signature, a corrupt
    /// header, codesign failing).</exception>
    public string Prepare(string path, bool isInterpreter)
    {
        if (macSigning is not null && IsMachO(path))
            return Sign(path, macSigning);
        if (!IsElf(path))
            return path;
        ElfFile header;
        try
        {
            header = ElfFile.Read(path);
        }
        catch (BinaryFormatException)
        {
            return path;
        }
        var tool = StripToolFor(header);
        if (tool is null && Interlocked.Exchange(ref _warned, 1) == 0)
            log.Debug($"no strip for {header.MachineName} ELF files (binutils' strip, {LinuxLibraryResolver.MultiarchTuple(header) ?? header.MachineName}-strip or llvm-strip) found: binaries are bundled with their debug information");
        var key = BuildCache.Key("prepare-3", isInterpreter, tool is null ? "" : Path.GetFileName(tool), File.ReadAllBytes(path));
        var hit = cache.TryGet("binary", key);
        if (hit is not null)
            return hit;
        var tmp = cache.TempFile("binary");
        if (tool is not null)
        {
            var result = ProcessRunner.Run(tool, ["--strip-debug", "-o", tmp, path], timeout: TimeSpan.FromMinutes(2));
            if (result.ExitCode != 0 || !File.Exists(tmp) || new FileInfo(tmp).Length == 0)
            {
                log.Debug($"strip failed for {path}: {result.StdErr.Trim()}");
                File.Copy(path, tmp, overwrite: true);
            }
        }
        else
        {
            File.Copy(path, tmp, overwrite: true);
        }
        FixSearchPath(tmp, path, isInterpreter);
        return cache.Put("binary", key, tmp);
    }

    private void FixSearchPath(string file, string original, bool isInterpreter)
    {
        ElfFile elf;
        try
        {
            elf = ElfFile.Read(file);
        }
        catch (BinaryFormatException)
        {
            return;
        }
        var current = elf.RunPathString ?? elf.RPathString;
        if (current is null)
            return;
        var kept = current.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Where(e => e.StartsWith("$ORIGIN", StringComparison.Ordinal) || e.StartsWith("${ORIGIN}", StringComparison.Ordinal))
            .ToList();
        if (isInterpreter)
            kept = ["$ORIGIN/../lib"];
        var wanted = string.Join(':', kept);
        ElfPatchResult r;
        if (wanted.Length == 0)
            r = ElfPatcher.RemoveSearchPath(file);
        else if (wanted != current)
            r = ElfPatcher.ReplaceSearchPath(file, wanted);
        else
            r = new ElfPatchResult(true, false, "unchanged");
        if (!r.Succeeded)
            log.Debug($"{original}: search path {current} kept ({r.Message})");
        if (elf.RPathString is not null)
            ElfPatcher.ConvertRPathToRunPath(file);
    }

    private string Sign(string path, MacSigning signing)
    {
        if (signing.IsAdHoc && MachOCodeSignature.Verify(path).IsValid)
            return path;
        var identifier = Path.GetFileName(path);
        var key = BuildCache.Key("macho-sign-1", signing.CacheKey, identifier, File.ReadAllBytes(path));
        var hit = cache.TryGet("binary", key);
        if (hit is not null)
            return hit;
        var tmp = cache.TempFile("binary");
        File.Copy(path, tmp, overwrite: true);
        try
        {
            if (signing.IsAdHoc)
                MachOCodeSignature.Sign(tmp, identifier);
            else
                signing.Codesign(tmp, identifier);
        }
        catch (PyFreezeException)
        {
            File.Delete(tmp);
            throw;
        }
        log.Debug($"signed {path} ({(signing.IsAdHoc ? "ad hoc" : signing.Identity)})");
        return cache.Put("binary", key, tmp);
    }

    private static bool IsMachO(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            Span<byte> head = stackalloc byte[8];
            return f.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8 && (MachOFile.HasThinMagic(head) || MachOFile.HasFatMagic(head));
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool IsElf(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            return f.Read(magic) == 4 && ElfFile.HasElfMagic(magic);
        }
        catch (IOException)
        {
            return false;
        }
    }
}

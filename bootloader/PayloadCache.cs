using System.IO.Hashing;
using PyFreeze.Payload;

namespace PyFreeze.Bootloader;

/// <summary>An error the bootloader reports as one line and a non-zero exit (255), never a stack trace.</summary>
internal sealed class BootException(string message) : Exception(message);

/// <summary>
/// Finds or makes the unpacked copy of this executable's payload in the user cache (README.md, "The cache"):
/// <c>CACHE/run/NAME-HASH16/</c>, unpacked once into a private temporary sibling and renamed into place, with a
/// manifest of what was written and a completion marker holding the full payload hash written last.
/// </summary>
/// <remarks>
/// Trust: every folder from the file system root to the copy is checked as <see cref="CacheDir"/> describes, and
/// used through the descriptor that was checked; a cache root that fails (another user's, shared, a symlinked copy)
/// is not used: the app unpacks into <c>$TMPDIR/pyfreeze-UID</c> instead, and when someone else holds that name,
/// into a fresh private <c>mkdtemp</c> folder beside it, saying so once. A warm start checks the marker and then
/// every entry of the manifest (type and size, <see cref="Manifest"/>); a damaged copy is unpacked again with one line
/// on stderr. The copy stays locked shared (<c>flock</c>) by the running app, through exec, so that a newer version
/// of the same executable, which removes older copies after it has started (unless <c>PYFREEZE_KEEP_OLD=1</c>), and
/// the clean-up of temporary folders left by killed first runs, never remove a copy in use.
/// </remarks>
internal sealed class PayloadCache(LaunchSettings settings, string executable)
{
    private const UnixFileMode PrivateDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The open copy the app runs from, locked shared; never closed (its descriptor is inherited by the
    /// interpreter through exec, so the lock lasts as long as the app).</summary>
    private static CacheDir? s_held;

    /// <summary>Where the payload bytes are read from: on Linux the running image itself, so a moved or deleted
    /// executable still unpacks.</summary>
    private string PayloadSource => OperatingSystem.IsLinux() && File.Exists("/proc/self/exe") ? "/proc/self/exe" : executable;

    private string Name => settings.CacheDirectoryName;

    /// <summary>Returns the unpacked root, unpacking first when no sound copy exists.</summary>
    /// <exception cref="BootException">The payload is damaged or cannot be unpacked anywhere.</exception>
    public string Prepare()
    {
        string primaryError;
        var primary = CacheLocation.UserCacheRoot(Environment.GetEnvironmentVariable, settings.CacheEnvironmentVariable);
        if (primary is null)
        {
            primaryError = "no home directory";
        }
        else
        {
            try
            {
                using var root = CacheDir.OpenRoot(primary, create: true);
                using var run = root.OpenChild(PayloadLayout.RunCacheSubdir, create: true)!;
                return Use(run, unpackNote: null);
            }
            catch (UntrustedCacheException e)
            {
                primaryError = e.Message;
            }
            catch (CacheUnwritableException e)
            {
                primaryError = e.Message;
            }
        }
        // Only when the primary cache cannot be used: a copy left in the fallback never wins over a set cache.
        var (fallback, why) = OpenFallback();
        using (fallback)
        {
            try
            {
                return Use(fallback, $"{settings.AppName}: note: the cache is not usable ({primaryError}); unpacking to {fallback.Path}{why}");
            }
            catch (CacheUnwritableException e)
            {
                throw new BootException($"cannot unpack: {primaryError}, and {e.Message}");
            }
        }
    }

    /// <summary>The <c>run</c> folder of the private temporary fallback: <c>$TMPDIR/pyfreeze-UID</c>, or, when that name is
    /// held by someone else (or is not safe), a private folder <c>pyfreeze-UID-XXXXXX</c> made by mkdtemp (one an
    /// earlier run made is used again).</summary>
    /// <returns>The folder, and what the note says about a name held by someone else ("" when none).</returns>
    private static (CacheDir Run, string Why) OpenFallback()
    {
        var tmp = Path.GetTempPath();
        if (OperatingSystem.IsWindows())
            return (CacheDir.OpenRoot(Path.Combine(tmp, "pyfreeze", PayloadLayout.RunCacheSubdir), create: true), "");
        var uid = Posix.Geteuid();
        var predictable = Path.Combine(tmp, $"pyfreeze-{uid}");
        string held;
        try
        {
            using var root = CacheDir.OpenRoot(predictable, create: true);
            return (root.OpenChild(PayloadLayout.RunCacheSubdir, create: true)!, "");
        }
        catch (UntrustedCacheException e)
        {
            held = e.Message;
        }
        try
        {
            foreach (var earlier in Directory.EnumerateDirectories(tmp, $"pyfreeze-{uid}-??????"))
            {
                try
                {
                    using var root = CacheDir.OpenRoot(earlier, create: false);
                    return (root.OpenChild(PayloadLayout.RunCacheSubdir, create: true)!, $" ({held})");
                }
                catch (UntrustedCacheException)
                {
                    // someone else's, or not safe: never used
                }
            }
            var made = Posix.Mkdtemp(Path.Combine(tmp, $"pyfreeze-{uid}-XXXXXX"))
                ?? throw new BootException($"cannot unpack: {held}, and no private temporary folder can be made in {tmp} ({Posix.Describe(Posix.Errno)})");
            using var fresh = CacheDir.OpenRoot(made, create: false);
            return (fresh.OpenChild(PayloadLayout.RunCacheSubdir, create: true)!, $" ({held})");
        }
        catch (UntrustedCacheException e)
        {
            throw new BootException($"cannot unpack: {held}, and {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BootException($"cannot unpack: {held}, and {tmp}: {Describe(e)}");
        }
    }

    /// <summary>Uses the sound copy in <paramref name="run"/>, or unpacks one (printing <paramref name="unpackNote"/>
    /// first when given); a damaged copy is reported in one line and unpacked again.</summary>
    private string Use(CacheDir run, string? unpackNote)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var (copy, damage) = OpenCopy(run);
            if (copy is not null)
            {
                Hold(run, copy);
                return copy.Path;
            }
            if (damage is "moved")
                continue; // renamed away while we waited for its lock: look again
            if (damage is not null)
                Native.ErrorLine($"{settings.AppName}: note: the unpacked copy {run.Path}/{Name} is damaged ({damage}); unpacking it again");
            else if (unpackNote is not null)
                Native.ErrorLine(unpackNote);
            return Unpack(run);
        }
        throw new BootException($"{run.Path}/{Name} keeps changing while it is opened; run again");
    }

    /// <summary>Opens the copy at run/NAME, locks it shared and checks it.</summary>
    /// <returns>The sound copy (locked, kept open through exec); or null and why not: null when there is none (or an
    /// unfinished one), "moved" when it was renamed away meanwhile, else the damage found.</returns>
    private (CacheDir? Copy, string? Damage) OpenCopy(CacheDir run)
    {
        CacheDir? copy;
        try
        {
            copy = run.OpenChild(Name, create: false, closeOnExec: false);
        }
        catch (UntrustedCacheException)
        {
            return (null, null); // not ours or not a folder (planted): never used; the publish moves it aside
        }
        if (copy is null)
            return (null, null);
        copy.Lock(Posix.LOCK_SH); // waits while a newer version or a repair is removing it
        if (!run.StillHolds(Name, copy))
        {
            copy.Dispose();
            return (null, "moved");
        }
        var problem = Check(copy);
        if (problem is null)
            return (copy, null);
        copy.Dispose();
        return (null, problem == Unfinished ? null : problem);
    }

    private const string Unfinished = "unfinished";

    /// <summary>Checks an open copy: the marker names our payload hash, then its folders against the folder stamp
    /// (<see cref="FolderStamp"/>), or, when that does not match, every manifest entry (then the stamp is written
    /// again); with PYFREEZE_VERIFY=1 every entry and every byte.</summary>
    /// <returns>Null when sound, <see cref="Unfinished"/> without a marker of ours, else the damage.</returns>
    private string? Check(CacheDir copy)
    {
        var marker = copy.ReadFile(PayloadLayout.CompleteMarker, 64);
        if (marker is null || !marker.AsSpan().SequenceEqual(System.Text.Encoding.ASCII.GetBytes(settings.PayloadSha256)))
            return Unfinished;
        bool verify = Environment.GetEnvironmentVariable("PYFREEZE_VERIFY") == "1";
        if (!verify && FolderStamp.Matches(copy))
            return null;
        var manifest = copy.ReadFile(Manifest.FileName, 64 << 20);
        if (manifest is null)
            return $"{Manifest.FileName} is missing";
        var problem = Manifest.Check(copy, manifest);
        if (problem is null && verify)
            problem = DeepCheck(copy.Path);
        if (problem is null)
            FolderStamp.Write(copy, manifest);
        return problem;
    }

    /// <summary>The deep check: the payload's hash, then every unpacked file compared byte for byte with its entry.</summary>
    private string? DeepCheck(string root)
    {
        Verify();
        using var file = OpenPayload();
        var b = new byte[1 << 16];
        try
        {
            foreach (var frame in ReadIndex(file))
            {
                using var region = FrameStream(file, frame);
                string? problem = null;
                PayloadFormat.ReadFrame(region, static _ => { }, (name, _, _, expected) =>
                {
                    if (problem is not null)
                        return;
                    try
                    {
                        using var actual = new FileStream(Path.Combine(root, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
                        var a = new byte[1 << 16];
                        while (true)
                        {
                            int n = expected.ReadAtLeast(a, a.Length, throwOnEndOfStream: false);
                            int m = actual.ReadAtLeast(b, b.Length, throwOnEndOfStream: false);
                            if (n != m || !a.AsSpan(0, n).SequenceEqual(b.AsSpan(0, m)))
                            {
                                problem = $"{name} differs from the payload";
                                return;
                            }
                            if (n == 0)
                                return;
                        }
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        problem = $"{name}: {Describe(e)}";
                    }
                });
                if (problem is not null)
                    return problem;
            }
        }
        catch (InvalidDataException)
        {
            throw new BootException("the executable is damaged (its payload is not a valid archive); build or download it again");
        }
        return null;
    }

    /// <summary>Keeps the copy the app runs from open and locked, and clears what earlier runs left in run/ — unless run/
    /// is as it was after this copy's last clean-up that left nothing to come back for (<see cref="CleanStamp"/>): then
    /// there is nothing new to clear, and the start skips reading run/ and the other versions' manifests.</summary>
    private void Hold(CacheDir run, CacheDir copy)
    {
        s_held = copy;
        try
        {
            var before = RunFolderState(run);
            var stamp = copy.ReadFile(CleanStamp, 64);
            if (before is not null && stamp is not null && stamp.AsSpan().SequenceEqual(before))
                return;
            if (CleanUp(run) && RunFolderState(run) is { } after)
                copy.RewriteFile(CleanStamp, after);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UntrustedCacheException)
        {
            // best effort: a later run tries again
        }
    }

    /// <summary>The copy's record of run/ after its last clean-up that left nothing to come back for: run/'s inode and
    /// modification time (<c>INODE MTIME_NS</c>), which change when anything is added to, removed from or renamed in run/
    /// (another version unpacked, a first start's temporary folder). Made empty by the unpack, before the folder stamp,
    /// so writing it later changes no folder of the copy.</summary>
    internal const string CleanStamp = ".pyfreeze-cleaned";

    /// <summary>run/'s inode and modification time as <see cref="CleanStamp"/> holds them; null on Windows or when it cannot
    /// be read.</summary>
    private static byte[]? RunFolderState(CacheDir run) =>
        !OperatingSystem.IsWindows() && Posix.FStat(run.Fd, out var st)
            ? System.Text.Encoding.ASCII.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{st.Inode} {st.ModifiedNs}"))
            : null;

    /// <summary>
    /// Removes, from <paramref name="run"/>: temporary folders (<c>.NAME-HASH.PID.RAND.tmp</c>) whose process is gone and
    /// whose lock is free (so never one a live first run is writing), and, unless <c>PYFREEZE_KEEP_OLD=1</c>, other
    /// versions of this app (<c>NAME-OTHERHASH</c>) unpacked by the executable at this same path, when no process holds
    /// their lock (none runs from them).
    /// </summary>
    /// <returns>True when nothing is left that a later clean-up would remove (no temporary folder of a live or locked
    /// first start, no version of ours in use); false otherwise, or with <c>PYFREEZE_KEEP_OLD=1</c>.</returns>
    private bool CleanUp(CacheDir run)
    {
        bool keepOld = Environment.GetEnvironmentVariable("PYFREEZE_KEEP_OLD") == "1";
        bool settled = !keepOld;
        var prefix = settings.AppName + "-";
        foreach (var path in Directory.EnumerateDirectories(run.Path))
        {
            var entry = Path.GetFileName(path);
            if (entry.StartsWith('.') && entry.EndsWith(".tmp", StringComparison.Ordinal))
            {
                var parts = entry.Split('.');
                if (parts.Length >= 5 && int.TryParse(parts[^3], out var pid) && pid != Environment.ProcessId)
                    settled &= !Posix.ProcessExists(pid) && RemoveIfUnlocked(run, entry, rename: false); // a live one: gone by a later start
            }
            else if (!keepOld && entry.StartsWith(prefix, StringComparison.Ordinal) && entry != Name && entry.Length == prefix.Length + 16)
            {
                settled &= RemoveIfUnlocked(run, entry, rename: true);
            }
        }
        return settled;
    }

    /// <summary>Removes run/<paramref name="entry"/> when its exclusive lock can be had at once; an old version only when
    /// this executable unpacked it (renamed to a temporary name first, so a start that races us never trusts it).</summary>
    /// <returns>True when it is gone or is not ours to remove (another app's, or another user's); false when it is in
    /// use or could not be removed, so a later start tries again.</returns>
    private bool RemoveIfUnlocked(CacheDir run, string entry, bool rename)
    {
        CacheDir? dir;
        try
        {
            dir = run.OpenChild(entry, create: false);
        }
        catch (UntrustedCacheException)
        {
            run.Unlink(entry); // a symlink or file planted in the way (a folder of another user stays: it cannot be ours to remove)
            return true;
        }
        using var _ = dir;
        if (dir is null)
            return true;
        if (!dir.Lock(Posix.LOCK_EX | Posix.LOCK_NB) || !run.StillHolds(entry, dir))
            return false;
        var name = entry;
        if (rename)
        {
            // the header alone: every start reads it from each other version in run/ (other builds of an app of this name)
            var manifest = dir.ReadFile(Manifest.FileName, Manifest.HeadBytes, head: true);
            if (manifest is null || Manifest.Origin(manifest) != executable)
                return true; // another app of the same name, or a copy older than manifests: not ours to remove
            name = TempName(entry);
            if (run.Rename(entry, name) != 0)
                return false;
        }
        TryDelete(Path.Combine(run.Path, name));
        return !Directory.Exists(Path.Combine(run.Path, name));
    }

    private static string TempName(string name) => $".{name}.{Environment.ProcessId}.{Random.Shared.Next():x8}.tmp";

    private sealed class CacheUnwritableException(string message) : Exception(message);

    /// <summary>Unpacks into run/NAME-HASH16: verify and extract into a locked temporary sibling, write the manifest and
    /// the marker, rename into place.</summary>
    private string Unpack(CacheDir run)
    {
        Native.TryMarkTopDirectory(run.Path); // each unpack starts in a fresh block group (see there)
        var tmpName = TempName(Name);
        int made = run.MakeChild(tmpName);
        if (made != 0)
            throw new CacheUnwritableException($"{run.Path}: {Posix.Describe(made)}");
        var tmp = run.OpenChild(tmpName, create: false, closeOnExec: false)
            ?? throw new CacheUnwritableException($"{run.Path}/{tmpName}: vanished while it was made");
        tmp.Lock(Posix.LOCK_EX); // a later run's clean-up leaves it alone while we write it
        var tmpPath = Path.Combine(run.Path, tmpName);
        try
        {
            Timing.UnpackStarted();
            var manifest = VerifyAndExtract(tmpPath);
            tmp.WriteNewFile(Manifest.FileName, manifest);
            tmp.WriteNewFile(PayloadLayout.CompleteMarker, System.Text.Encoding.ASCII.GetBytes(settings.PayloadSha256));
            tmp.WriteNewFile(CleanStamp, []); // filled by the first clean-up (see Hold)
            FolderStamp.Write(tmp, manifest); // last: what it records is the finished copy
            Timing.MarkerWritten();
            return Publish(run, tmpName, tmp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            tmp.Dispose();
            TryDelete(tmpPath);
            if (e is IOException io && IsDiskFull(io))
                throw new BootException($"cannot unpack to {run.Path}: no space left on device; free some space and run again");
            if (e is InvalidDataException)
                throw new BootException("the executable is damaged (its payload is not a valid archive); build or download it again");
            throw new CacheUnwritableException($"{run.Path}: {Describe(e)}");
        }
        catch
        {
            tmp.Dispose();
            TryDelete(tmpPath);
            throw;
        }
    }

    /// <summary>Renames the finished temporary folder to run/NAME. When a concurrent first start won the race, its copy
    /// is used (if sound); anything else at that name (damaged, unfinished, not ours) is renamed aside and removed.</summary>
    private string Publish(CacheDir run, string tmpName, CacheDir tmp)
    {
        for (int attempt = 0; attempt < 4; attempt++)
        {
            int e = run.Rename(tmpName, Name);
            if (e == 0)
            {
                tmp.Lock(Posix.LOCK_SH); // from writer to user: old-version and temp clean-ups leave it alone
                Hold(run, tmp.Renamed(run.Path + "/" + Name));
                return run.Path + "/" + Name;
            }
            if (e != Posix.EEXIST && e != Posix.ENOTEMPTY && e != Posix.ENOTDIR) // ENOTDIR: a file or symlink is in the way
                throw new IOException($"cannot rename {tmpName} to {Name} in {run.Path}: {Posix.Describe(e)}", e);
            var (copy, _) = OpenCopy(run);
            if (copy is not null)
            {
                tmp.Dispose();
                TryDelete(Path.Combine(run.Path, tmpName)); // a concurrent first start finished first: use its copy
                Hold(run, copy);
                return copy.Path;
            }
            var aside = TempName(Name);
            if (run.Rename(Name, aside) == 0)
                RemoveIfUnlocked(run, aside, rename: false);
        }
        throw new IOException($"cannot move {tmpName} to {Name} in {run.Path}");
    }

    private static bool IsDiskFull(IOException e) =>
        e.HResult is 28 /* ENOSPC */ or 122 /* EDQUOT */ || (e.HResult & 0xFFFF) is 0x70 /* ERROR_DISK_FULL */ or 0x27 /* ERROR_HANDLE_DISK_FULL */
        || e.Message.Contains("DiskFull", StringComparison.Ordinal) || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("no space left", StringComparison.OrdinalIgnoreCase);

    /// <summary>A short description of a file-system error. The bootloader is trimmed with UseSystemResourceKeys (its
    /// exception messages are resource keys), so the operating system's own text (strerror) is used where there is an
    /// errno.</summary>
    internal static string Describe(Exception e)
    {
        if (e is UnauthorizedAccessException)
            return "permission denied";
        if (e is IOException io)
        {
            if (IsDiskFull(io))
                return "no space left on device";
            if (io.HResult is > 0 and < 256)
                return System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(io.HResult).ToLowerInvariant();
        }
        return e.Message;
    }

    /// <summary>Creates a folder only the user can enter (0700; on Windows the profile's own ACLs apply).</summary>
    private static void MakePrivateDir(string dir)
    {
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(dir);
        else
            Directory.CreateDirectory(dir, PrivateDir);
    }

    /// <summary>Opens the payload's file for reading frames (each read sequentially).</summary>
    private FileStream OpenPayload() =>
        new(PayloadSource, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);

    /// <summary>The payload's frame index, read from <paramref name="file"/>.</summary>
    private PayloadFrame[] ReadIndex(FileStream file) =>
        PayloadFormat.ReadIndex((at, buffer) => RandomAccess.Read(file.SafeFileHandle, buffer, settings.PayloadOffset + at), settings.PayloadLength);

    private RegionStream FrameStream(FileStream file, PayloadFrame frame) =>
        new(file, settings.PayloadOffset + frame.Offset, frame.Length);

    /// <summary>
    /// Checks the payload hash and extracts the payload into <paramref name="dest"/> at the same time: frame 0 (every
    /// folder) first, then helper threads (one per processor, at most <see cref="MaxWorkers"/>) extract the other frames,
    /// largest first, while this thread hashes and then extracts too. Returns only when every entry is written and the
    /// hash matched; on any failure every worker has stopped before the exception leaves (so the caller can delete the
    /// folder), and a payload whose hash does not match is always reported as damaged, whatever the extraction tripped
    /// over first.
    /// </summary>
    /// <returns>The manifest of what was written (<see cref="Manifest"/>).</returns>
    private byte[] VerifyAndExtract(string dest)
    {
        using var file = OpenPayload();
        if (file.Length < settings.PayloadOffset + settings.PayloadLength)
            throw new BootException($"the executable is truncated ({file.Length} bytes, the payload ends at {settings.PayloadOffset + settings.PayloadLength}); build or download it again");
        bool verified = false;
        try
        {
            var frames = ReadIndex(file);
            var job = new ExtractJob(Path.GetFullPath(dest));
            using (var folders = FrameStream(file, frames[0]))
                job.Folders(folders);
            var order = frames[1..];
            Array.Sort(order, static (a, b) => b.RawLength.CompareTo(a.RawLength)); // largest first (unstable: any order of equals will do)
            int workers = Math.Min(Math.Clamp(Environment.ProcessorCount, 1, MaxWorkers), Math.Max(1, order.Length));
            var helpers = new List<Thread>(workers - 1);
            try
            {
                for (int t = 1; t < workers; t++)
                {
                    var helper = new Thread(() => job.RunHelper(OpenPayload, order, settings.PayloadOffset)) { IsBackground = true };
                    helper.Start();
                    helpers.Add(helper);
                }
                Verify();
                verified = true;
                job.Run(file, order, settings.PayloadOffset);
            }
            catch (Exception e)
            {
                job.Fail(e); // the helpers stop after the entry they are writing
            }
            foreach (var helper in helpers)
                helper.Join();
            job.ThrowIfFailed();
            Timing.Extracted(workers);
            return job.Manifest(executable);
        }
        catch (Exception e) when (!verified && e is not BootException)
        {
            Verify(); // a damaged payload is reported as such, not as whatever broke first
            throw;
        }
    }

    /// <summary>At most this many threads extract (more do not pay: the disk and the page cache are shared; and each holds
    /// a zstd window, <c>PayloadWriter.WindowLog</c>, so the bootloader's peak resident set grows with them).</summary>
    private const int MaxWorkers = 3;

    /// <summary>Checks that the payload bytes hash to the built hash (the length was checked before).</summary>
    private void Verify()
    {
        using var handle = File.OpenHandle(PayloadSource, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var hash = new XxHash64();
        var buffer = new byte[1 << 18]; // every page of it stays resident until exec: small, for the peak RSS
        long done = 0;
        while (done < settings.PayloadLength)
        {
            int n = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, settings.PayloadLength - done)), settings.PayloadOffset + done);
            if (n <= 0)
                throw new BootException("the executable is truncated; build or download it again");
            hash.Append(buffer.AsSpan(0, n));
            done += n;
        }
        if (!string.Equals(hash.GetCurrentHashAsUInt64().ToString("x16"), settings.PayloadXxh64, StringComparison.Ordinal))
            throw new BootException("the executable is damaged (payload checksum mismatch); build or download it again");
    }

    /// <summary>The shared state of one parallel extraction: the folders made, the next frame to take, what was
    /// written, and the first failure (after which every worker stops taking entries).</summary>
    private sealed class ExtractJob(string dest)
    {
        private readonly string _destPrefix = dest + Path.DirectorySeparatorChar;
        private readonly SortedSet<string> _folders = new(StringComparer.Ordinal);
        private readonly List<(string, long)> _files = [];
        private int _next = -1;
        private Exception? _error;

        /// <summary>Makes every folder of frame 0 (0700), in order, parents first.</summary>
        public void Folders(Stream frame)
        {
            PayloadFormat.ReadFrame(frame, name =>
            {
                _folders.Add(name);
                MakePrivateDir(Target(name));
            }, static (name, _, _, _) => throw new InvalidDataException($"payload entry '{name}' is a file in the folder frame"));
        }

        /// <summary>What the unpacked copy holds, as <see cref="Bootloader.Manifest"/> records it: a folder only when it holds
        /// no listed entry (a missing folder makes its entries missing), so one stat fewer per folder on every start.</summary>
        public byte[] Manifest(string origin)
        {
            var holders = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in _folders)
                AddHolders(holders, name);
            foreach (var (name, _) in _files)
                AddHolders(holders, name);
            _files.Sort(static (a, b) => string.CompareOrdinal(a.Item1, b.Item1));
            var empty = new List<string>();
            foreach (var d in _folders)
                if (!holders.Contains(d))
                    empty.Add(d);
            return Bootloader.Manifest.Build(origin, empty, _files);
        }

        private static void AddHolders(HashSet<string> holders, string name)
        {
            for (int slash = name.IndexOf('/'); slash > 0; slash = name.IndexOf('/', slash + 1))
                holders.Add(name[..slash]);
        }

        public void Fail(Exception e)
        {
            Interlocked.CompareExchange(ref _error, e, null);
        }

        public void ThrowIfFailed()
        {
            if (Volatile.Read(ref _error) is { } e)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        }

        /// <summary>A helper thread: its own file handle over the same bytes, taking frames from the shared list.</summary>
        public void RunHelper(Func<FileStream> open, PayloadFrame[] order, long payloadOffset)
        {
            try
            {
                using var file = open();
                Run(file, order, payloadOffset);
            }
            catch (Exception e)
            {
                Fail(e);
            }
        }

        /// <summary>Extracts frames until none is left or a worker failed.</summary>
        public void Run(FileStream file, PayloadFrame[] order, long payloadOffset)
        {
            var buffer = new byte[1 << 17];
            var written = new List<(string, long)>();
            try
            {
                while (Volatile.Read(ref _error) is null)
                {
                    int k = Interlocked.Increment(ref _next);
                    if (k >= order.Length)
                        return;
                    using var region = new RegionStream(file, payloadOffset + order[k].Offset, order[k].Length);
                    PayloadFormat.ReadFrame(region, name => throw new InvalidDataException($"payload entry '{name}' is a folder outside the folder frame"),
                        (name, size, exec, data) =>
                        {
                            if (Volatile.Read(ref _error) is not null)
                                throw new OperationCanceledException();
                            Write(Target(name), size, exec, data, buffer);
                            written.Add((name, size));
                        });
                }
            }
            finally
            {
                lock (_files)
                    _files.AddRange(written);
            }
        }

        /// <summary>The path an entry is written to, refused when it would leave the destination.</summary>
        private string Target(string name)
        {
            var target = Path.GetFullPath(Path.Combine(_destPrefix, name));
            if (!target.StartsWith(_destPrefix, StringComparison.Ordinal))
                throw new InvalidDataException($"unsafe payload entry '{name}'");
            return target;
        }

        private static void Write(string target, long size, bool exec, Stream input, byte[] buffer)
        {
            var dir = Path.GetDirectoryName(target)!;
            if (!Directory.Exists(dir))
                MakePrivateDir(dir);
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew, // never follows or overwrites anything planted
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0, // the copy below writes big blocks
                // Reserving space costs a call and extent conversion per file; only big files gain from it (less
                // fragmentation, an early "disk full").
                PreallocationSize = size >= PreallocateFrom ? size : 0,
            };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = exec ? PrivateDir : UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var output = new FileStream(target, options);
            int n;
            while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                output.Write(buffer, 0, n);
        }
    }

    /// <summary>Files at least this big get their space reserved before they are written.</summary>
    private const long PreallocateFrom = 1 << 20;

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}

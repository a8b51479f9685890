using System.IO.Compression;
using System.IO.Hashing;
using PyFreeze.Payload;

namespace PyFreeze.Bootloader;

/// <summary>An error the bootloader reports as one line and a non-zero exit (255), never a stack trace.</summary>
internal sealed class BootException(string message) : Exception(message);

/// <summary>
/// Finds or makes the unpacked copy of this executable's payload in the user cache (DESIGN.md §4):
/// <c>CACHE/run/NAME-HASH16/</c>, unpacked once into a private temporary sibling and renamed into place, with a
/// completion marker holding the full payload hash written last. A warm start reads only the marker.
/// </summary>
internal sealed class PayloadCache(LaunchSettings settings, string executable)
{
    private const UnixFileMode PrivateDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Where the payload bytes are read from: on Linux the running image itself, so a moved or deleted
    /// executable still unpacks.</summary>
    private string PayloadSource => OperatingSystem.IsLinux() && File.Exists("/proc/self/exe") ? "/proc/self/exe" : executable;

    /// <summary>Returns the unpacked root, unpacking first when no complete copy exists.</summary>
    /// <exception cref="BootException">The payload is damaged or cannot be unpacked anywhere.</exception>
    public string Prepare()
    {
        var primary = PrimaryRoot();
        var name = settings.CacheDirectoryName;
        if (primary is not null && IsComplete(Path.Combine(primary, name)))
            return Path.Combine(primary, name);
        var fallback = FallbackRoot();
        if (fallback is not null && IsComplete(Path.Combine(fallback, name)))
            return Path.Combine(fallback, name);

        string? primaryError = null;
        if (primary is not null)
        {
            try
            {
                return Unpack(primary);
            }
            catch (CacheUnwritableException e)
            {
                primaryError = e.Message;
            }
        }
        else
        {
            primaryError = "no home directory";
        }
        if (fallback is null)
            throw new BootException($"cannot unpack: {primaryError}, and no private temporary directory is usable");
        Console.Error.WriteLine($"{settings.AppName}: note: the cache is not usable ({primaryError}); unpacking to {fallback}");
        try
        {
            return Unpack(fallback);
        }
        catch (CacheUnwritableException e)
        {
            throw new BootException($"cannot unpack: {e.Message}");
        }
    }

    private string? PrimaryRoot()
    {
        var root = CacheLocation.UserCacheRoot(Environment.GetEnvironmentVariable, settings.CacheEnvironmentVariable);
        return root is null ? null : Path.Combine(root, PayloadLayout.RunCacheSubdir);
    }

    /// <summary>A private per-user folder under the temporary directory: <c>$TMPDIR/pyfreeze-UID</c>, owned by us,
    /// mode 0700, not a symlink (anything else is refused: another user could have planted it).</summary>
    private static string? FallbackRoot()
    {
        var tmp = Path.GetTempPath();
        if (OperatingSystem.IsWindows())
            return Path.Combine(tmp, "pyfreeze", PayloadLayout.RunCacheSubdir);
        var dir = Path.Combine(tmp, $"pyfreeze-{Native.Getuid()}");
        try
        {
            if (!Directory.Exists(dir))
                MakePrivateDir(dir);
            var info = new DirectoryInfo(dir);
            if (info.LinkTarget is not null || (File.GetUnixFileMode(dir) & (UnixFileMode)0b111_111) != 0 || !OwnedByMe(dir))
                return null;
            return Path.Combine(dir, PayloadLayout.RunCacheSubdir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>With mode 0700 checked first, being able to write a file inside proves the folder is ours: another
    /// user's 0700 folder would refuse us.</summary>
    private static bool OwnedByMe(string path)
    {
        try
        {
            var probe = Path.Combine(path, $".probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="dir"/> holds a finished unpack of this payload (its marker names our hash).</summary>
    private bool IsComplete(string dir)
    {
        try
        {
            var marker = Path.Combine(dir, PayloadLayout.CompleteMarker);
            var info = new FileInfo(marker);
            if (!info.Exists || info.Length != settings.PayloadSha256.Length || info.LinkTarget is not null)
                return false;
            return File.ReadAllText(marker) == settings.PayloadSha256;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private sealed class CacheUnwritableException(string message) : Exception(message);

    /// <summary>Unpacks into <paramref name="root"/>/NAME-HASH16: verify, extract into a temporary sibling, mark, rename.</summary>
    private string Unpack(string root)
    {
        try
        {
            CreatePrivate(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CacheUnwritableException($"{root}: {Describe(e)}");
        }
        Native.TryMarkTopDirectory(root); // each unpack starts in a fresh block group (see there)
        var final = Path.Combine(root, settings.CacheDirectoryName);
        var tmp = Path.Combine(root, $".{settings.CacheDirectoryName}.{Environment.ProcessId}.{Random.Shared.Next():x8}.tmp");
        try
        {
            MakePrivateDir(tmp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CacheUnwritableException($"{root}: {Describe(e)}");
        }
        try
        {
            VerifyAndExtract(tmp);
            File.WriteAllText(Path.Combine(tmp, PayloadLayout.CompleteMarker), settings.PayloadSha256);
            Publish(tmp, final);
            return final;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            TryDelete(tmp);
            if (e is IOException io && IsDiskFull(io))
                throw new BootException($"cannot unpack to {root}: no space left on device; free some space and run again");
            if (e is InvalidDataException)
                throw new BootException("the executable is damaged (its payload is not a valid archive); build or download it again");
            throw new CacheUnwritableException($"{root}: {Describe(e)}");
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    private static bool IsDiskFull(IOException e) =>
        e.HResult is 28 /* ENOSPC */ or 122 /* EDQUOT */ || (e.HResult & 0xFFFF) is 0x70 /* ERROR_DISK_FULL */ or 0x27 /* ERROR_HANDLE_DISK_FULL */
        || e.Message.Contains("DiskFull", StringComparison.Ordinal) || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

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

    private static void CreatePrivate(string dir)
    {
        if (Directory.Exists(dir))
            return;
        var parent = Path.GetDirectoryName(dir);
        if (parent is not null && !Directory.Exists(parent))
            CreatePrivate(parent);
        MakePrivateDir(dir);
    }

    /// <summary>Creates a folder only the user can enter (0700; on Windows the profile's own ACLs apply).</summary>
    private static void MakePrivateDir(string dir)
    {
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(dir);
        else
            Directory.CreateDirectory(dir, PrivateDir);
    }

    /// <summary>Opens the payload's file for an archive reader. The buffer is small on purpose: each entry starts
    /// with a seek to its header, so a big buffer would mostly be refilled and thrown away.</summary>
    private FileStream OpenPayload() =>
        new(PayloadSource, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 14);

    /// <summary>
    /// Checks the payload hash and extracts the payload into <paramref name="dest"/> at the same time: this thread
    /// hashes while helper threads (one per processor, at most <see cref="MaxWorkers"/>) already extract, then this
    /// thread extracts too. Returns only when every entry is written and the hash matched; on any failure every
    /// worker has stopped before the exception leaves (so the caller can delete the folder), and a payload whose
    /// hash does not match is always reported as damaged, whatever the extraction tripped over first.
    /// </summary>
    private void VerifyAndExtract(string dest)
    {
        using var file = OpenPayload();
        if (file.Length < settings.PayloadOffset + settings.PayloadLength)
            throw new BootException($"the executable is truncated ({file.Length} bytes, the payload ends at {settings.PayloadOffset + settings.PayloadLength}); build or download it again");
        bool verified = false;
        try
        {
            using var region = new RegionStream(file, settings.PayloadOffset, settings.PayloadLength);
            using var zip = new ZipArchive(region, ZipArchiveMode.Read, leaveOpen: true);
            var job = Plan(zip, dest);
            int workers = Math.Min(Math.Clamp(Environment.ProcessorCount, 1, MaxWorkers), 1 + job.Order.Length / 64);
            var helpers = new List<Thread>(workers - 1);
            try
            {
                for (int t = 1; t < workers; t++)
                {
                    var helper = new Thread(() => job.RunHelper(OpenPayload, settings.PayloadOffset, settings.PayloadLength)) { IsBackground = true };
                    helper.Start();
                    helpers.Add(helper);
                }
                Verify();
                verified = true;
                job.Run(zip);
            }
            catch (Exception e)
            {
                job.Fail(e); // the helpers stop after the entry they are writing
            }
            foreach (var helper in helpers)
                helper.Join();
            job.ThrowIfFailed();
        }
        catch (Exception e) when (!verified && e is not BootException)
        {
            Verify(); // a damaged payload is reported as such, not as whatever broke first
            throw;
        }
    }

    /// <summary>At most this many threads extract (more do not pay: the disk and the page cache are shared).</summary>
    private const int MaxWorkers = 4;

    /// <summary>Checks that the payload bytes hash to the built hash (the length was checked before).</summary>
    private void Verify()
    {
        using var handle = File.OpenHandle(PayloadSource, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var hash = new XxHash64();
        var buffer = new byte[1 << 20];
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

    /// <summary>Checks every entry name before anything is written, creates every folder (0700), and lists the
    /// files to write, largest first so that no worker is left with one big file at the end.</summary>
    private static ExtractJob Plan(ZipArchive zip, string dest)
    {
        var entries = zip.Entries;
        var destFull = Path.GetFullPath(dest) + Path.DirectorySeparatorChar;
        var names = new string[entries.Count];
        var targets = new string?[entries.Count];
        var files = new List<int>(entries.Count);
        var created = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            var name = names[i] = entries[i].FullName;
            if (!PayloadLayout.IsSafeEntryName(name))
                throw new InvalidDataException($"unsafe payload entry '{name}'");
            var target = Path.GetFullPath(Path.Combine(dest, name));
            if (!target.StartsWith(destFull, StringComparison.Ordinal))
                throw new InvalidDataException($"unsafe payload entry '{name}'");
            if (name.EndsWith('/'))
            {
                EnsureDir(target, created);
                continue;
            }
            EnsureDir(Path.GetDirectoryName(target)!, created);
            targets[i] = target;
            files.Add(i);
        }
        var order = files.ToArray();
        var sizes = new long[order.Length];
        for (int k = 0; k < order.Length; k++)
            sizes[k] = -entries[order[k]].Length;
        Array.Sort(sizes, order); // equal sizes in any order: the order only balances the work
        return new ExtractJob(names, targets, order);
    }

    /// <summary>The shared state of one parallel extraction: which entries to write where, the next one to take,
    /// and the first failure (after which every worker stops taking entries).</summary>
    private sealed class ExtractJob(string[] names, string?[] targets, int[] order)
    {
        private int _next = -1;
        private Exception? _error;

        public int[] Order => order;

        public void Fail(Exception e)
        {
            Interlocked.CompareExchange(ref _error, e, null);
        }

        public void ThrowIfFailed()
        {
            if (Volatile.Read(ref _error) is { } e)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        }

        /// <summary>A helper thread: its own file handle and archive over the same bytes, taking entries from the
        /// shared list.</summary>
        public void RunHelper(Func<FileStream> open, long offset, long length)
        {
            try
            {
                using var file = open();
                using var region = new RegionStream(file, offset, length);
                using var zip = new ZipArchive(region, ZipArchiveMode.Read, leaveOpen: true);
                Run(zip);
            }
            catch (Exception e)
            {
                Fail(e);
            }
        }

        /// <summary>Writes entries until none is left or a worker failed.</summary>
        public void Run(ZipArchive zip)
        {
            var entries = zip.Entries;
            if (entries.Count != names.Length)
                throw new InvalidDataException("the payload archive changed while unpacking");
            var buffer = new byte[1 << 18];
            while (Volatile.Read(ref _error) is null)
            {
                int k = Interlocked.Increment(ref _next);
                if (k >= order.Length)
                    return;
                int i = order[k];
                var entry = entries[i];
                if (!string.Equals(entry.FullName, names[i], StringComparison.Ordinal))
                    throw new InvalidDataException("the payload archive changed while unpacking");
                Write(entry, targets[i]!, buffer);
            }
        }

        private static void Write(ZipArchiveEntry entry, string target, byte[] buffer)
        {
            int mode = (entry.ExternalAttributes >> 16) & 0xFFF;
            bool exec = (mode & 0b001_001_001) != 0;
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew, // never follows or overwrites anything planted
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0, // the copy below writes big blocks
                // Reserving space costs a call and extent conversion per file; only big files gain from it (less
                // fragmentation, an early "disk full").
                PreallocationSize = entry.Length >= PreallocateFrom ? entry.Length : 0,
            };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = exec ? PrivateDir : UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var input = entry.Open();
            using var output = new FileStream(target, options);
            int n;
            while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                output.Write(buffer, 0, n);
        }
    }

    /// <summary>Files at least this big get their space reserved before they are written.</summary>
    private const long PreallocateFrom = 1 << 20;

    private static void EnsureDir(string dir, HashSet<string> created)
    {
        if (!created.Add(dir) || Directory.Exists(dir))
            return;
        MakePrivateDir(dir);
    }

    /// <summary>Renames the finished temporary folder into place. When another start won the race, its copy is used;
    /// an incomplete leftover at the final name is moved aside and removed first.</summary>
    private void Publish(string tmp, string final)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                Directory.Move(tmp, final);
                return;
            }
            catch (IOException) when (Directory.Exists(final))
            {
                if (IsComplete(final))
                {
                    TryDelete(tmp); // a concurrent first start finished first: use its copy
                    return;
                }
                var stale = final + $".{Environment.ProcessId}.stale";
                try
                {
                    Directory.Move(final, stale);
                    TryDelete(stale);
                }
                catch (IOException)
                {
                    // someone else is fixing it; try again
                }
            }
        }
        throw new IOException($"cannot move {tmp} to {final}");
    }

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

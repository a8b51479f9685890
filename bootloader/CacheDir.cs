namespace PyFreeze.Bootloader;

/// <summary>A cache folder that may not be used, with the reason (what is wrong and whose it is), for one line.</summary>
internal sealed class UntrustedCacheException(string message) : Exception(message);

/// <summary>
/// An open cache folder that this user made and no one else can change (the rule ssh applies to <c>~/.ssh</c> and
/// CPython's <c>tempfile.mkdtemp</c> gives its folders): a real folder, not a symlink, owned by the effective uid,
/// not writable by group or others. Every folder on the way to it is checked too, on the real path (symlinks above
/// the cache root resolved first): owned by root or by this user, and writable by others only when root owns it
/// and it has the sticky bit (<c>/tmp</c>), so no one else can rename anything on the path away. Each folder is
/// opened from its parent's descriptor with <c>O_NOFOLLOW</c> and checked with <c>fstat</c> on that descriptor, so
/// the folder checked is the folder used. The same for root: root is not special.
/// </summary>
internal sealed class CacheDir : IDisposable
{
    private CacheDir(int fd, string path)
    {
        Fd = fd;
        Path = path;
    }

    /// <summary>The open descriptor (O_DIRECTORY).</summary>
    public int Fd { get; private set; }

    /// <summary>The folder's real absolute path.</summary>
    public string Path { get; }

    private static readonly uint Me = Posix.Geteuid();

    /// <summary>Opens (creating, mode 0700, when <paramref name="create"/>) the cache root <paramref name="root"/>
    /// and checks it and every folder above it.</summary>
    /// <exception cref="UntrustedCacheException">A folder on the way is not safe, or cannot be opened or made.</exception>
    public static CacheDir OpenRoot(string root, bool create)
    {
        if (OperatingSystem.IsWindows())
            return OpenByPath(System.IO.Path.GetFullPath(root), create);
        var full = System.IO.Path.GetFullPath(root).TrimEnd('/');
        if (full.Length == 0)
            throw new UntrustedCacheException("/ is not a cache folder");
        // Resolve the part that exists (a symlinked ~/.cache is common); what is missing is made below.
        var existing = full;
        var missing = new Stack<string>();
        string? real;
        while ((real = Posix.Realpath(existing)) is null)
        {
            var parent = System.IO.Path.GetDirectoryName(existing);
            if (parent is null)
                throw new UntrustedCacheException($"{full}: cannot resolve its path");
            missing.Push(System.IO.Path.GetFileName(existing));
            existing = parent;
        }
        var parts = new List<string>(real.Split('/', StringSplitOptions.RemoveEmptyEntries));
        parts.AddRange(missing);
        if (parts.Count == 0)
            throw new UntrustedCacheException("/ is not a cache folder");

        int fd = Posix.OpenAt(Posix.AT_FDCWD, "/\0"u8, Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_CLOEXEC);
        var path = "";
        try
        {
            CheckAbove(fd, "/");
            for (int i = 0; i < parts.Count; i++)
            {
                path += "/" + parts[i];
                bool last = i == parts.Count - 1;
                int child = OpenOrMake(fd, parts[i], path, create, closeOnExec: true);
                Posix.Close(fd);
                fd = child;
                if (last)
                    CheckOwned(fd, path);
                else
                    CheckAbove(fd, path);
            }
            var dir = new CacheDir(fd, path);
            fd = -1;
            return dir;
        }
        finally
        {
            Posix.Close(fd);
        }
    }

    /// <summary>Opens (or makes, 0700) the folder <paramref name="name"/> inside this one and checks that it is ours.</summary>
    /// <param name="name">One path component.</param>
    /// <param name="create">Make it when it does not exist.</param>
    /// <param name="closeOnExec">False for a descriptor the interpreter inherits (the lock held while the app runs).</param>
    /// <returns>The folder, or null when it does not exist and <paramref name="create"/> is false.</returns>
    /// <exception cref="UntrustedCacheException">It is not a folder of ours, or cannot be opened or made.</exception>
    public CacheDir? OpenChild(string name, bool create, bool closeOnExec = true)
    {
        if (OperatingSystem.IsWindows())
            return !create && !Directory.Exists(System.IO.Path.Combine(Path, name)) ? null : OpenByPath(System.IO.Path.Combine(Path, name), create);
        var path = Path + "/" + name;
        int fd = create ? OpenOrMake(Fd, name, path, true, closeOnExec) : Posix.OpenDirAt(Fd, name, closeOnExec);
        if (fd < 0)
        {
            int e = Posix.Errno;
            if (e == Posix.ENOENT)
                return null;
            throw Refused(Fd, name, path, e);
        }
        try
        {
            CheckOwned(fd, path);
        }
        catch
        {
            Posix.Close(fd);
            throw;
        }
        return new CacheDir(fd, path);
    }

    /// <summary>True when <paramref name="name"/> in this folder is still the folder open as <paramref name="other"/>
    /// (same device and inode): nobody renamed it away while we waited for its lock.</summary>
    public bool StillHolds(string name, CacheDir other) => OperatingSystem.IsWindows() ? Directory.Exists(other.Path) :
        Posix.LStatAt(Fd, Native.Utf8Z(name), out var a) == 0 && Posix.FStat(other.Fd, out var b) && a.Device == b.Device && a.Inode == b.Inode;

    /// <summary>Windows: the profile's ACLs keep %LOCALAPPDATA% private; folders are used by path (no descriptors).</summary>
    private static CacheDir OpenByPath(string path, bool create)
    {
        try
        {
            if (create)
                Directory.CreateDirectory(path);
            else if (!Directory.Exists(path))
                throw new UntrustedCacheException($"{path}: no such folder");
            if (new DirectoryInfo(path).LinkTarget is not null)
                throw new UntrustedCacheException($"{path} is a symlink or junction");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UntrustedCacheException($"{path}: {PayloadCache.Describe(e)}");
        }
        return new CacheDir(-1, path);
    }

    /// <summary>Makes the folder <paramref name="name"/> here (0700); fails when anything has that name.</summary>
    /// <returns>0, or an errno (on Windows: EEXIST, EACCES).</returns>
    public int MakeChild(string name)
    {
        if (!OperatingSystem.IsWindows())
            return Posix.MkdirAt(Fd, name, 0b111_000_000) == 0 ? 0 : Posix.Errno;
        var path = System.IO.Path.Combine(Path, name);
        if (Directory.Exists(path) || File.Exists(path))
            return Posix.EEXIST;
        try
        {
            Directory.CreateDirectory(path);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Posix.EACCES;
        }
    }

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/> inside this folder (a folder onto a non-empty one fails).</summary>
    /// <returns>0, or an errno (on Windows: EEXIST for anything in the way).</returns>
    public int Rename(string from, string to)
    {
        if (!OperatingSystem.IsWindows())
            return Posix.RenameAt(Fd, from, Fd, to) == 0 ? 0 : Posix.Errno;
        try
        {
            Directory.Move(System.IO.Path.Combine(Path, from), System.IO.Path.Combine(Path, to));
            return 0;
        }
        catch (IOException) when (Directory.Exists(System.IO.Path.Combine(Path, to)))
        {
            return Posix.EEXIST;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Posix.ENOENT;
        }
    }

    /// <summary>Removes the file or symlink <paramref name="name"/> here (not a folder); false when it cannot.</summary>
    public bool Unlink(string name)
    {
        if (!OperatingSystem.IsWindows())
            return Posix.UnlinkAt(Fd, name, directory: false) == 0;
        try
        {
            File.Delete(System.IO.Path.Combine(Path, name));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>flock(2) on this folder: <see cref="Posix.LOCK_SH"/> while an app runs from it, <see cref="Posix.LOCK_EX"/>
    /// while it is written or removed. True when taken (always on Windows, which has no such lock on folders).</summary>
    public bool Lock(int operation) => OperatingSystem.IsWindows() || Posix.Flock(Fd, operation) == 0;

    /// <summary>Reads a small file of this folder, not following a symlink; null when missing or unreadable, or larger
    /// than <paramref name="max"/> bytes unless <paramref name="head"/>.</summary>
    /// <param name="name">The file's name in this folder.</param>
    /// <param name="max">The most bytes read.</param>
    /// <param name="head">True to read only the first <paramref name="max"/> bytes of a larger file (a manifest's
    /// header, without its thousands of entries).</param>
    public byte[]? ReadFile(string name, int max, bool head = false)
    {
        if (OperatingSystem.IsWindows())
        {
            var path = System.IO.Path.Combine(Path, name);
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists || info.LinkTarget is not null || (info.Length > max && !head))
                    return null;
                using var stream = info.OpenRead();
                var bytes = new byte[Math.Min(info.Length, max)];
                stream.ReadExactly(bytes);
                return bytes;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
        int fd = Posix.OpenAt(Fd, Native.Utf8Z(name), Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC);
        if (fd < 0)
            return null;
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        if (!Posix.FStat(fd, out var st) || !st.IsRegular || (st.Size > max && !head))
            return null;
        var data = new byte[Math.Min(st.Size, max)];
        int done = 0;
        while (done < data.Length)
        {
            int n = RandomAccess.Read(handle, data.AsSpan(done), done);
            if (n <= 0)
                return null;
            done += n;
        }
        return data;
    }

    /// <summary>Writes a new file (0600) in this folder; fails when anything has that name.</summary>
    /// <exception cref="IOException">It cannot be written.</exception>
    public void WriteNewFile(string name, ReadOnlySpan<byte> content)
    {
        if (OperatingSystem.IsWindows())
        {
            using var f = new FileStream(System.IO.Path.Combine(Path, name), FileMode.CreateNew, FileAccess.Write);
            f.Write(content);
            return;
        }
        int fd = Posix.OpenAt(Fd, Native.Utf8Z(name), Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0b110_000_000);
        if (fd < 0)
            throw new IOException($"{Path}/{name}: {Posix.Describe(Posix.Errno)}", Posix.Errno);
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        RandomAccess.Write(handle, content, 0);
    }

    /// <summary>Makes a small file of this folder hold <paramref name="content"/> (best effort, POSIX only): made 0600 when
    /// missing, never through a symlink, written in place from its start and then cut to length, so starts that write the
    /// same bytes at once leave those bytes.</summary>
    /// <param name="name">The file's name in this folder.</param>
    /// <param name="content">What it holds afterwards.</param>
    /// <returns>False when it could not be opened or written (a read-only cache, say).</returns>
    public bool RewriteFile(string name, ReadOnlySpan<byte> content)
    {
        int fd = Posix.OpenAt(Fd, Native.Utf8Z(name), Posix.O_WRONLY | Posix.O_CREAT | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0b110_000_000);
        if (fd < 0)
            return false;
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        try
        {
            RandomAccess.Write(handle, content, 0);
            RandomAccess.SetLength(handle, content.Length);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static int OpenOrMake(int parent, string name, string path, bool create, bool closeOnExec)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            int fd = Posix.OpenDirAt(parent, name, closeOnExec);
            if (fd >= 0)
                return fd;
            int e = Posix.Errno;
            if (e != Posix.ENOENT || !create)
                throw Refused(parent, name, path, e);
            if (Posix.MkdirAt(parent, name, 0b111_000_000) != 0 && Posix.Errno != Posix.EEXIST)
                throw new UntrustedCacheException($"{path}: {Posix.Describe(Posix.Errno)}");
        }
        throw new UntrustedCacheException($"{path}: keeps changing while it is opened");
    }

    /// <summary>Why <paramref name="name"/> in <paramref name="parent"/> could not be opened: whose it is when it is not ours.</summary>
    private static UntrustedCacheException Refused(int parent, string name, string path, int errno)
    {
        if (errno == Posix.ELOOP || errno == Posix.ENOTDIR)
            return new UntrustedCacheException($"{path} is a symlink or not a folder");
        if (Posix.LStatAt(parent, Native.Utf8Z(name), out var st) == 0 && st.Uid != Me)
            return new UntrustedCacheException($"{path} belongs to uid {st.Uid}, not to uid {Me}");
        return new UntrustedCacheException($"{path}: {Posix.Describe(errno)}");
    }

    /// <summary>A folder above the cache root: root's or ours, and only a sticky root-owned folder may be shared.</summary>
    private static void CheckAbove(int fd, string path)
    {
        if (!Posix.FStat(fd, out var st))
            throw new UntrustedCacheException($"{path}: {Posix.Describe(Posix.Errno)}");
        if (st.Uid != 0 && st.Uid != Me)
            throw new UntrustedCacheException($"{path} belongs to uid {st.Uid}, not to root or uid {Me}");
        if (st.WritableByOthers && !(st.Uid == 0 && st.Sticky))
            throw new UntrustedCacheException($"{path} is writable by others (mode {Octal(st.Mode)}) and not a sticky system folder");
    }

    /// <summary>The cache root and every folder below it: ours alone.</summary>
    private static void CheckOwned(int fd, string path)
    {
        if (!Posix.FStat(fd, out var st))
            throw new UntrustedCacheException($"{path}: {Posix.Describe(Posix.Errno)}");
        if (!st.IsDirectory)
            throw new UntrustedCacheException($"{path} is not a folder");
        if (st.Uid != Me)
            throw new UntrustedCacheException($"{path} belongs to uid {st.Uid}, not to uid {Me}");
        if (st.WritableByOthers)
            throw new UntrustedCacheException($"{path} is writable by others (mode {Octal(st.Mode)})");
    }

    private static string Octal(uint mode) => Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0');

    /// <summary>The same open folder under the name it was renamed to (this object gives up its descriptor).</summary>
    public CacheDir Renamed(string path)
    {
        var moved = new CacheDir(Fd, path);
        Fd = -1;
        return moved;
    }

    /// <summary>Closes the descriptor (a held lock goes with it).</summary>
    public void Dispose()
    {
        Posix.Close(Fd);
        Fd = -1;
    }
}

namespace PyFreeze.Binaries;

/// <summary>
/// The real disk seen with a sysroot: the tree of another machine (an extracted Debian arm64 root, an unpacked
/// python-build-standalone archive) whose absolute symbolic links name paths of that machine. A link inside
/// <see cref="Root"/> whose target is absolute (<c>usr/lib/aarch64-linux-gnu/libblas.so.3 →
/// /etc/alternatives/libblas.so.3-aarch64-linux-gnu</c>) is followed inside <see cref="Root"/>, as <c>chroot</c>
/// would, never into the build machine's own <c>/etc</c> or <c>/usr</c>; links outside <see cref="Root"/> (a target
/// site-packages folder elsewhere) keep their usual meaning. Every path is resolved here, component by component,
/// before the disk is asked, so the host kernel never follows a link of the sysroot. Paths are host paths; use
/// <see cref="LinuxLoaderOptions.Sysroot"/> so that the loader's absolute search directories are taken inside it too.
/// </summary>
public sealed class SysrootFileSystem : ILoaderFileSystem
{
    /// <summary>Wraps the disk with <paramref name="root"/> as the sysroot.</summary>
    /// <param name="root">The sysroot folder (made absolute, its own links resolved).</param>
    public SysrootFileSystem(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = DiskFileSystem.Instance.GetRealPath(Path.GetFullPath(root)).TrimEnd('/');
    }

    /// <summary>The sysroot, absolute, without a trailing slash.</summary>
    public string Root { get; }

    /// <summary>True when <paramref name="path"/> is <see cref="Root"/> or below it.</summary>
    public bool Contains(string path) => path == Root || path.StartsWith(Root + "/", StringComparison.Ordinal);

    /// <summary><paramref name="targetPath"/> (an absolute path of the target machine) as a host path inside the sysroot.</summary>
    public string Rebase(string targetPath) => targetPath.StartsWith('/') ? Root + PosixPath.Normalize(targetPath) : targetPath;

    /// <inheritdoc />
    public bool FileExists(string path) => Resolve(path) is { } p && File.Exists(p) && !IsLink(p);

    /// <inheritdoc />
    public bool DirectoryExists(string path) => Resolve(path) is { } p && Directory.Exists(p) && !IsLink(p);

    /// <inheritdoc />
    public Stream OpenRead(string path) =>
        Resolve(path) is { } p && File.Exists(p) && !IsLink(p)
            ? new FileStream(p, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess)
            : throw new FileNotFoundException($"{path}: no such file", path);

    /// <inheritdoc />
    public string? ReadLink(string path)
    {
        if (!path.StartsWith('/'))
            return null;
        var dir = PosixPath.GetDirectory(PosixPath.Normalize(path));
        return ReadLinkIn(dir == "/" ? "/" : GetRealPath(dir), PosixPath.GetFileName(path));
    }

    /// <summary>The link target of <paramref name="name"/> in the already resolved folder <paramref name="parent"/>,
    /// an absolute one rebased when the link lies inside the sysroot.</summary>
    private string? ReadLinkIn(string parent, string name)
    {
        var at = PosixPath.Join(parent, name);
        var target = DiskFileSystem.Instance.ReadLink(at);
        if (target is null || !target.StartsWith('/') || !Contains(at) || Contains(PosixPath.Normalize(target)))
            return target;
        return Rebase(target);
    }

    /// <inheritdoc />
    public IEnumerable<string> EnumerateNames(string directory) =>
        Resolve(directory) is { } p ? DiskFileSystem.Instance.EnumerateNames(p) : [];

    /// <inheritdoc />
    public string GetRealPath(string path) => PosixPath.RealPath(new ResolvedParents(this), Path.GetFullPath(path));

    private string? Resolve(string path)
    {
        if (!path.StartsWith('/'))
            return null;
        try
        {
            return GetRealPath(path);
        }
        catch (IOException)
        {
            return null; // a link loop: nothing there
        }
    }

    private static bool IsLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The view <see cref="PosixPath.RealPath"/> walks: it asks for links one component at a time below a prefix
    /// it has resolved already, so the parent needs no second resolution.</summary>
    private sealed class ResolvedParents(SysrootFileSystem fs) : ILoaderFileSystem
    {
        public bool FileExists(string path) => fs.FileExists(path);

        public bool DirectoryExists(string path) => fs.DirectoryExists(path);

        public Stream OpenRead(string path) => fs.OpenRead(path);

        public string? ReadLink(string path) => fs.ReadLinkIn(PosixPath.GetDirectory(path), PosixPath.GetFileName(path));

        public IEnumerable<string> EnumerateNames(string directory) => fs.EnumerateNames(directory);
    }
}

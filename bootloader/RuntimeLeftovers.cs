namespace PyFreeze.Bootloader;

/// <summary>
/// The files the .NET runtime makes at start-up in the temporary folder for debuggers and diagnostic tools
/// (<c>clr-debug-pipe-PID-KEY-in</c>/<c>-out</c> and <c>dotnet-diagnostic-PID-KEY-socket</c>, KEY the process's start
/// time in clock ticks, as the runtime's PAL names them). The runtime removes them when it shuts down, but the
/// bootloader replaces itself with the interpreter instead, so without this every start would leave three files in
/// <c>/tmp</c>. <c>DOTNET_EnableDiagnostics=0</c> would stop them being made, but it is read from the environment
/// only (runtimeconfig.json has no equivalent), before the bootloader runs.
/// </summary>
internal static class RuntimeLeftovers
{
    /// <summary>Linux: removes this process's three files (only when they are this user's FIFOs and socket).</summary>
    public static void Remove()
    {
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            // /proc/self/stat: "PID (COMM) STATE ..." with starttime the 22nd field; COMM may hold spaces and parentheses.
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var key = fields[19];
            var tmp = Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } t ? t : "/tmp";
            int fd = Posix.OpenAt(Posix.AT_FDCWD, Native.Utf8Z(tmp), Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_CLOEXEC);
            if (fd < 0)
                return;
            try
            {
                var pid = Environment.ProcessId;
                foreach (var name in new[] { $"clr-debug-pipe-{pid}-{key}-in", $"clr-debug-pipe-{pid}-{key}-out", $"dotnet-diagnostic-{pid}-{key}-socket" })
                {
                    if (Posix.LStatAt(fd, Native.Utf8Z(name), out var st) == 0 && st.Uid == Posix.Geteuid() && st.Type is 0x1000 or 0xC000)
                        Posix.UnlinkAt(fd, name, directory: false);
                }
            }
            finally
            {
                Posix.Close(fd);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentException)
        {
            // best effort: nothing to remove, or no /proc
        }
    }
}

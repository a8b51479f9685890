namespace PyFreeze.Bootloader;

/// <summary>
/// The process's arguments as the raw bytes the kernel passed (argv[0] as typed), so CPython decodes them
/// itself exactly as it would for <c>python3 app.py ARGS</c> (undecodable bytes survive as surrogate escapes).
/// </summary>
internal static class RawArgs
{
    /// <summary>Reads argv: Linux from <c>/proc/self/cmdline</c>, macOS from <c>_NSGetArgv</c>; elsewhere (or when
    /// those fail) the runtime's decoded arguments re-encoded as UTF-8.</summary>
    /// <returns>argv[0] and every argument, without terminators.</returns>
    internal static unsafe List<byte[]> Read()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var data = File.ReadAllBytes("/proc/self/cmdline");
                var list = new List<byte[]>();
                int start = 0;
                for (int i = 0; i < data.Length; i++)
                {
                    if (data[i] != 0)
                        continue;
                    list.Add(data[start..i]);
                    start = i + 1;
                }
                if (start < data.Length)
                    list.Add(data[start..]);
                if (list.Count > 0)
                    return list;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        else if (OperatingSystem.IsMacOS())
        {
            int argc = *Native.NSGetArgc();
            byte** argv = *Native.NSGetArgv();
            var list = new List<byte[]>(argc);
            for (int i = 0; i < argc; i++)
            {
                var span = new ReadOnlySpan<byte>(argv[i], int.MaxValue);
                list.Add(span[..span.IndexOf((byte)0)].ToArray());
            }
            return list;
        }
        var args = Environment.GetCommandLineArgs();
        var result = new List<byte[]>(args.Length);
        foreach (var a in args)
            result.Add(System.Text.Encoding.UTF8.GetBytes(a));
        return result;
    }
}

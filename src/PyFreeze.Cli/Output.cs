using PyFreeze.Diagnostics;

namespace PyFreeze.Cli;

/// <summary>Writes report files: <c>-</c> is stdout; a file is written to a temporary name and renamed.</summary>
internal static class Output
{
    public static void Write(string path, Action<Stream> write)
    {
        if (path == "-")
        {
            // through Console.Out (UTF-8), so whoever set it (a test running Program.Main in process) gets the report
            using var buffer = new MemoryStream();
            write(buffer);
            Console.Out.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            Console.Out.Flush();
            return;
        }
        var full = Path.GetFullPath(path);
        var tmp = full + $".{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
                write(f);
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new PyFreezeException($"{path}: cannot write ({e.Message})", 1, e);
        }
    }
}

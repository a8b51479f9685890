using System.Runtime.InteropServices;
using System.Text;
using PyFreeze.Payload;

namespace PyFreeze.Bootloader;

/// <summary>
/// Errors of a <c>--windowed</c> app on Windows, which has no console (a GUI-subsystem process: CPython sets
/// <c>sys.stderr</c> to None and an uncaught exception's traceback would vanish). As PyInstaller's windowed bootloader
/// does, they are never lost:
/// <list type="bullet">
/// <item>the bootloader names an error log in <see cref="LogVariable"/>; the boot module (which removes the variable)
/// appends the traceback of an uncaught exception there, and points a missing <c>sys.stderr</c> at it;</item>
/// <item>when the interpreter returns non-zero and this run added to the log, the bootloader shows the end of it in a
/// message box (<c>MessageBoxW</c>, <c>MB_ICONERROR</c>) with the log's path;</item>
/// <item>a failure of the bootloader itself (before Python runs) is appended to the log and shown the same way.</item>
/// </list>
/// The log is <c>&lt;cache root&gt;\logs\&lt;AppName&gt;-error.log</c> (<c>%LOCALAPPDATA%\pyfreeze\logs\…</c> unless the
/// cache is moved with <c>PYFREEZE_CACHE_DIR</c>), else under <c>%TEMP%\pyfreeze\logs</c>. It is only ever appended
/// to. <see cref="NoMessageBoxVariable"/> set non-empty replaces the box with the same text on stderr (automation,
/// tests).
/// </summary>
internal static partial class WindowedErrors
{
    /// <summary>Environment variable naming the error log to the boot module (which removes it from <c>os.environ</c>).</summary>
    internal const string LogVariable = "_PYFREEZE_ERROR_LOG";

    /// <summary>Environment variable that, set non-empty, suppresses the message box (the text goes to stderr).</summary>
    internal const string NoMessageBoxVariable = "PYFREEZE_NO_MESSAGEBOX";

    /// <summary>At most this many characters of the log are shown in the box (its end: the exception itself).</summary>
    internal const int MaxShown = 2000;

    private const uint MB_OK = 0x0;
    private const uint MB_ICONERROR = 0x10;
    private const uint MB_SETFOREGROUND = 0x10000;

    /// <summary>True when this process is a windowed app on Windows: errors go to the log and a message box.</summary>
    internal static bool Applies(LaunchSettings? settings) => settings is { Windowed: true } && OperatingSystem.IsWindows();

    /// <summary>The error log's path for an app.</summary>
    internal static string LogPath(LaunchSettings settings)
    {
        var root = CacheLocation.UserCacheRoot(Environment.GetEnvironmentVariable, settings.CacheEnvironmentVariable)
                   ?? Path.Combine(Path.GetTempPath(), "pyfreeze");
        return Path.Combine(root, "logs", settings.AppName + "-error.log");
    }

    /// <summary>The log's length now (0 when absent): what this run writes starts there.</summary>
    internal static long LengthOf(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? info.Length : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return 0;
        }
    }

    /// <summary>What the run added to the log after <paramref name="start"/>, or null when nothing.</summary>
    internal static string? ReadAddedSince(string path, long start)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (f.Length <= start)
                return null;
            // The end holds the exception; read at most a generous tail of the bytes added (UTF-8: ≤ 4 bytes a char).
            var from = Math.Max(start, f.Length - MaxShown * 4L);
            f.Position = from;
            var bytes = new byte[f.Length - from];
            f.ReadExactly(bytes);
            var text = Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n").Trim();
            return text.Length == 0 ? null : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Appends a bootloader failure to the log (best effort: a log that cannot be written is skipped).</summary>
    internal static void Append(string path, string message)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.AppendAllText(path, $"--- {DateTime.Now:yyyy-MM-dd HH:mm:ss} {Environment.ProcessPath}\n{message}\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
        }
    }

    /// <summary>Shows an error: the last <see cref="MaxShown"/> characters of <paramref name="text"/>, then the log's
    /// path; in a message box, or on stderr when <see cref="NoMessageBoxVariable"/> is set.</summary>
    internal static void Show(string appName, string text, string logPath)
    {
        if (text.Length > MaxShown)
            text = "…" + text[^MaxShown..];
        var body = $"{text}\n\nThe full error is in {logPath}";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(NoMessageBoxVariable)))
        {
            Native.ErrorLine($"{appName}: error (message box suppressed by {NoMessageBoxVariable}):\n{body}");
            return;
        }
        MessageBoxW(IntPtr.Zero, body.Replace("\n", "\r\n"), appName, MB_OK | MB_ICONERROR | MB_SETFOREGROUND);
    }

    [LibraryImport("user32.dll", EntryPoint = "MessageBoxW", StringMarshalling = StringMarshalling.Utf16)]
    private static partial int MessageBoxW(IntPtr owner, string text, string caption, uint type);
}

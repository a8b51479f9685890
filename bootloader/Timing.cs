using System.Diagnostics;
using System.Globalization;

namespace PyFreeze.Bootloader;

/// <summary>
/// <c>PYFREEZE_DEBUG=timing</c>: where a start's time goes. The bootloader stamps its main, the cache check and the
/// moment before exec (CLOCK_MONOTONIC nanoseconds, which is what <see cref="Stopwatch"/> reads on Linux and what
/// Python's <c>time.monotonic_ns()</c> reads) and hands them, with the host's start, to the boot module in
/// <c>_PYFREEZE_TIMING</c>; the boot module adds "interpreter ready" and "entry start" and prints one line on stderr.
/// A first run also prints <c>pyfreeze unpack:</c>, the unpack's own stages, from the bootloader. Unset, it costs one
/// environment look-up.
/// </summary>
/// <remarks>
/// The host's start (the exec of this process) is estimated as now minus the time the kernel has accounted to this
/// thread, running and waiting to run (<c>/proc/self/schedstat</c>, nanoseconds; see the kernel's
/// Documentation/scheduler/sched-stats.rst): before <c>main</c> the process runs without blocking on a warm start.
/// </remarks>
internal static class Timing
{
    /// <summary>The variable that carries the stamps to the boot module (which removes it).</summary>
    internal const string Variable = "_PYFREEZE_TIMING";

    private static readonly string[] s_modes = Environment.GetEnvironmentVariable("PYFREEZE_DEBUG")?.Split(',') ?? [];

    private static readonly bool s_on = Array.IndexOf(s_modes, "timing") >= 0;

    /// <summary><c>PYFREEZE_DEBUG=memory</c>: one line on stderr just before exec with the bootloader's peak resident
    /// set (<c>VmHWM</c> of <c>/proc/self/status</c>, kB; see the kernel's Documentation/filesystems/proc.rst), which exec
    /// resets, so nothing measured after exec can see it.</summary>
    private static readonly bool s_memory = Array.IndexOf(s_modes, "memory") >= 0;

    private static long s_host, s_main, s_cache, s_unpack, s_extracted, s_written;
    private static int s_workers;

    /// <summary>Stamps the start of an unpack (first run).</summary>
    public static void UnpackStarted()
    {
        if (s_on)
            s_unpack = Now();
    }

    /// <summary>Stamps the end of the payload's verification and extraction by <paramref name="workers"/> threads.</summary>
    public static void Extracted(int workers)
    {
        if (!s_on)
            return;
        s_extracted = Now();
        s_workers = workers;
    }

    /// <summary>Stamps the end of writing the manifest and the completion marker.</summary>
    public static void MarkerWritten()
    {
        if (s_on)
            s_written = Now();
    }

    /// <summary>Stamps the bootloader's main (and estimates the host's start).</summary>
    public static void BootloaderMain()
    {
        if (!s_on)
            return;
        s_main = Now();
        s_host = s_main - SinceStart();
    }

    /// <summary>Stamps the end of the cache check (or unpack).</summary>
    public static void CacheChecked()
    {
        if (s_on)
            s_cache = Now();
    }

    /// <summary>Stamps the moment before exec and hands every stamp to the boot module.</summary>
    public static void BeforeExec()
    {
        if (s_memory)
            ReportPeakMemory();
        if (!s_on)
            return;
        if (s_unpack != 0 && s_written != 0)
            Native.ErrorLine(string.Create(CultureInfo.InvariantCulture,
                $"pyfreeze unpack: verify, decode and write {Ms(s_extracted - s_unpack)} ms ({s_workers} threads), manifest and marker {Ms(s_written - s_extracted)} ms, rename and clean-up {Ms(s_cache - s_written)} ms"));
        var text = string.Create(CultureInfo.InvariantCulture, $"{s_host} {s_main} {s_cache} {Now()}");
        Native.SetEnv(Variable, System.Text.Encoding.ASCII.GetBytes(text));
    }

    /// <summary>Writes <c>pyfreeze memory: bootloader peak RSS N kB before exec</c> on stderr (nothing when
    /// <c>/proc/self/status</c> cannot be read: not Linux).</summary>
    private static void ReportPeakMemory()
    {
        try
        {
            foreach (var line in File.ReadAllLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    Native.ErrorLine($"pyfreeze memory: bootloader peak RSS {line[6..].Trim().Split(' ')[0]} kB before exec");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string Ms(long ns) => (ns / 1e6).ToString("0.0", CultureInfo.InvariantCulture);

    private static long Now() => (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));

    /// <summary>Nanoseconds this thread has run and waited to run since the process began, or 0 when unknown.</summary>
    private static long SinceStart()
    {
        try
        {
            var fields = File.ReadAllText("/proc/self/schedstat").Split(' ');
            return long.Parse(fields[0], CultureInfo.InvariantCulture) + long.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}

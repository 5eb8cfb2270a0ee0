using System.Runtime.InteropServices;

namespace IommuFd.UapiGenerator.Benchmarks;

/// <summary>CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID). The driver runs the
/// generator on the calling thread, so this is its cost without the time spent waiting for a
/// core that other processes hold, which wall-clock time on a busy machine includes.</summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGettime(int clock, out Timespec time);

    /// <summary>Milliseconds of CPU this thread has used, or NaN where the clock is unavailable.</summary>
    public static double NowMilliseconds() =>
        ClockGettime(ClockThreadCpuTimeId, out Timespec t) == 0 ? t.Seconds * 1e3 + t.Nanoseconds / 1e6 : double.NaN;
}

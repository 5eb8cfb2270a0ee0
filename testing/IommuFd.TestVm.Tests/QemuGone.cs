using System.Diagnostics;

namespace IommuFd.TestVm.Tests;

/// <summary>
/// Waits for processes whose command line contains a marker to disappear. A killed process leaves
/// the process table only once the kernel has torn it down and its parent has reaped it, which on a
/// loaded machine takes longer than a fixed sleep; a process that is still there after the grace
/// period is a real leak.
/// </summary>
internal static class QemuGone
{
    public static async Task<bool> WithinAsync(string marker, TimeSpan? grace = null)
    {
        var deadline = Stopwatch.StartNew();
        TimeSpan limit = grace ?? TimeSpan.FromSeconds(5);
        while (QemuProcess.FindByCommandLine(marker).Count > 0)
        {
            if (deadline.Elapsed > limit)
                return false;
            await Task.Delay(100);
        }
        return true;
    }
}

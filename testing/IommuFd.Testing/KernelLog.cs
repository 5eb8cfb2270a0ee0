using System.Diagnostics;

namespace IommuFd.Testing;

/// <summary>The running kernel's log (dmesg), for tests that check what the kernel reported, such as
/// DMAR faults. Works where the kernel tier's backend is the real kernel (in the test VM or on a lab host).</summary>
public static class KernelLog
{
    /// <summary>All lines of the kernel ring buffer now.</summary>
    /// <exception cref="InvalidOperationException">When dmesg cannot be read.</exception>
    public static IReadOnlyList<string> Lines()
    {
        var info = new ProcessStartInfo("dmesg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var dmesg = Process.Start(info) ?? throw new InvalidOperationException("cannot start dmesg");
        string output = dmesg.StandardOutput.ReadToEnd();
        string errors = dmesg.StandardError.ReadToEnd();
        dmesg.WaitForExit();
        if (dmesg.ExitCode != 0)
            throw new InvalidOperationException($"dmesg failed ({dmesg.ExitCode}): {errors.Trim()}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>A position in the log: <see cref="Since"/> returns what the kernel logged after it.</summary>
    public static int Mark() => Lines().Count;

    /// <summary>Lines logged after <paramref name="mark"/>.</summary>
    public static IReadOnlyList<string> Since(int mark) => Lines().Skip(mark).ToList();

    /// <summary>Polls until a line after <paramref name="mark"/> contains <paramref name="text"/> or <paramref name="timeout"/> passes
    /// (the kernel logs IOMMU faults from an interrupt handler, a little after the DMA).</summary>
    public static IReadOnlyList<string> WaitFor(int mark, string text, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var lines = Since(mark);
            if (lines.Any(l => l.Contains(text, StringComparison.Ordinal)) || watch.Elapsed > timeout)
                return lines;
            Thread.Sleep(100);
        }
    }
}

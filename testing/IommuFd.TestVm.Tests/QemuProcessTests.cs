using System.Diagnostics;

namespace IommuFd.TestVm.Tests;

/// <summary>The process guard, with <c>sleep</c> standing in for QEMU (no kernel needed).</summary>
[TestFixture]
public sealed class QemuProcessTests
{
    [Test]
    public async Task The_watchdog_kills_qemu_when_the_host_dies_even_by_sigkill()
    {
        string marker = (9000 + Random.Shared.Next(1000)).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".25";
        using var standInHost = Process.Start("sleep", "1000")!;
        using var qemu = QemuProcess.Start("sleep", [marker], _ => { }, _ => { }, standInHost.Id);
        await Task.Delay(500);
        Assert.That(QemuProcess.FindByCommandLine("sleep " + marker), Is.Not.Empty, "stand-in QEMU did not start");

        standInHost.Kill(); // SIGKILL: no handler of the host gets to run
        await standInHost.WaitForExitAsync();

        Assert.That(await QemuGone.WithinAsync("sleep " + marker, TimeSpan.FromSeconds(10)), Is.True, "stand-in QEMU outlived its host");
    }

    [Test]
    public async Task Kill_removes_the_whole_tree()
    {
        string marker = (8000 + Random.Shared.Next(1000)).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".5";
        using var qemu = QemuProcess.Start("sleep", [marker], _ => { }, _ => { });
        await Task.Delay(500);
        Assert.That(QemuProcess.FindByCommandLine(marker), Is.Not.Empty);

        qemu.Kill();
        await qemu.WaitForExitAsync();

        Assert.That(await QemuGone.WithinAsync(marker), Is.True, "the stand-in QEMU outlived Kill");
    }

    [Test]
    public async Task Output_lines_and_exit_code_pass_through_the_wrapper()
    {
        var lines = new List<string>();
        using var qemu = QemuProcess.Start("/bin/sh", ["-c", "echo one; echo two; exit 3"], l => { lock (lines) lines.Add(l); }, _ => { });
        await qemu.WaitForExitAsync();
        Assert.That(qemu.ExitCode, Is.EqualTo(3));
        Assert.That(lines, Is.EqualTo(new[] { "one", "two" }));
    }
}

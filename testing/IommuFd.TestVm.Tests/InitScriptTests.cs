using System.Diagnostics;

namespace IommuFd.TestVm.Tests;

[TestFixture]
public sealed class InitScriptTests
{
    [Test]
    public void Quote_survives_the_shell()
    {
        const string nasty = "a 'b' \"c\" $d `e` \\f";
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("printf %s " + InitScript.Quote(nasty));
        using var sh = Process.Start(info)!;
        string echoed = sh.StandardOutput.ReadToEnd();
        sh.WaitForExit();
        Assert.That(echoed, Is.EqualTo(nasty));
    }

    [Test]
    public void The_script_is_valid_sh_and_binds_only_edu_devices()
    {
        string script = InitScript.Render(new GuestCommand("echo hi") { Environment = new Dictionary<string, string> { ["X"] = "1" } }, IommuModel.Virtio);
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"init-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, script);
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true };
        info.ArgumentList.Add("-n");
        info.ArgumentList.Add(path);
        using var sh = Process.Start(info)!;
        string errors = sh.StandardError.ReadToEnd();
        sh.WaitForExit();
        Assert.Multiple(() =>
        {
            Assert.That(sh.ExitCode, Is.Zero, errors);
            Assert.That(script, Does.Contain("= 0x1234 ] && [ \"$(cat $d/device)\" = 0x11e8 ]"));
            Assert.That(script, Does.Contain("IOMMUFD_GUEST_IOMMU=virtio"));
            Assert.That(script, Does.Contain("export X='1'"));
        });
    }

    [Test]
    public void Host_folders_under_tmp_that_the_command_names_stay_visible_and_no_others()
    {
        var command = new GuestCommand("dotnet vstest /tmp/ci-clone/x/Tests.dll --logger:trx")
        {
            WorkingDirectory = "/tmp/ci-clone/x",
            Environment = new Dictionary<string, string> { ["OUT"] = "/tmp/results/run1" },
        };
        string script = InitScript.Render(command, IommuModel.Intel);
        Assert.Multiple(() =>
        {
            Assert.That(script, Does.Contain("mount --bind '/run/host-tmp/ci-clone' '/tmp/ci-clone'"));
            Assert.That(script, Does.Contain("mount --bind '/run/host-tmp/results' '/tmp/results'"));
            Assert.That(script.Split("mount --bind '/run/host-tmp/").Length - 1, Is.EqualTo(2));
            Assert.That(script.IndexOf("mount -t tmpfs -o mode=1777 tmpfs /tmp", StringComparison.Ordinal),
                Is.LessThan(script.IndexOf("/tmp/ci-clone'", StringComparison.Ordinal)));
        });
    }

    [Test]
    public void The_arm64_script_keeps_the_bootstrap_s_out_share_and_mounts_the_app_share()
    {
        string script = InitScript.Render(new GuestCommand("/opt/iommufd/runner run") { WorkingDirectory = "/tmp/x" }, IommuModel.Smmuv3);
        Assert.Multiple(() =>
        {
            Assert.That(script, Does.Not.Contain("tmpfs /run\n"), "the bootstrap mounted /run with the out share in it");
            Assert.That(script, Does.Not.Contain(" out /run/out"));
            Assert.That(script, Does.Not.Contain("host-tmp"), "the guest's root is not the host's");
            Assert.That(script, Does.Contain($"ro app {GuestPaths.App}"));
            Assert.That(script, Does.Contain("IOMMUFD_GUEST_IOMMU=arm64-smmuv3"));
            Assert.That(script, Does.Contain("date -s @"), "the virt machine's kernel has no RTC driver: the host's time");
        });
    }

    [Test]
    public void A_bad_variable_name_is_rejected()
    {
        var command = new GuestCommand("true") { Environment = new Dictionary<string, string> { ["A;rm -rf /"] = "x" } };
        Assert.That(() => InitScript.Render(command, IommuModel.Intel), Throws.ArgumentException.With.Message.Contains("not a shell variable name"));
    }
}

using System.Diagnostics;
using IommuFd.Interop;

namespace IommuFd.TestVm.Tests;

[TestFixture]
public sealed class TestKernelTests
{
    private static readonly KernelSeries Lts = new("lts", "6.12", "linux-source-6.12");
    private static readonly GuestArchitecture X86 = GuestArchitecture.X86_64;

    private static GuestArchitecture Arch(string name) => name == "arm64" ? GuestArchitecture.Arm64 : GuestArchitecture.X86_64;

    [TestCase("lts", "x86_64"), TestCase("stable", "x86_64"), TestCase("lts", "arm64"), TestCase("stable", "arm64")]
    public void The_cache_key_matches_the_build_script(string role, string arch)
    {
        string? root = TestKernel.FindRepositoryRoot();
        if (root is null)
            Assert.Ignore("needs the repository's build script");
        KernelSeries? kernel = KernelSeries.Find(root!, role);
        Assert.That(kernel, Is.Not.Null, $"scripts/kernels.conf names no {role} kernel");
        string? version = kernel!.SourceVersion(root!);
        if (version is null)
            Assert.Ignore($"the package lists of {kernel.Package} were never fetched (scripts/kernel-source.sh {kernel.Series})");

        var info = new ProcessStartInfo(Path.Combine(root!, TestKernel.BuildScript)) { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(role);
        info.ArgumentList.Add("--arch");
        info.ArgumentList.Add(arch);
        info.ArgumentList.Add("--key");
        using var script = Process.Start(info)!;
        string scriptKey = script.StandardOutput.ReadToEnd().Trim();
        script.WaitForExit();

        Assert.That(TestKernel.CacheKey(root!, kernel, version!, Arch(arch)), Is.EqualTo(scriptKey));
    }

    [Test]
    public void The_key_changes_with_the_fragments_the_series_the_architecture_and_the_source_version()
    {
        string key = TestKernel.CacheKey(Lts, "1", X86, "CONFIG_A=y\n"u8.ToArray(), null, "script"u8.ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(TestKernel.CacheKey(Lts, "1", X86, "CONFIG_B=y\n"u8.ToArray(), null, "script"u8.ToArray()), Is.Not.EqualTo(key));
            Assert.That(TestKernel.CacheKey(Lts, "1", X86, "CONFIG_A=y\n"u8.ToArray(), "CONFIG_C=y\n"u8.ToArray(), "script"u8.ToArray()), Is.Not.EqualTo(key));
            Assert.That(TestKernel.CacheKey(Lts, "2", X86, "CONFIG_A=y\n"u8.ToArray(), null, "script"u8.ToArray()), Is.Not.EqualTo(key));
            Assert.That(TestKernel.CacheKey(Lts, "1", GuestArchitecture.Arm64, "CONFIG_A=y\n"u8.ToArray(), null, "script"u8.ToArray()), Is.Not.EqualTo(key));
            Assert.That(TestKernel.CacheKey(new KernelSeries("stable", "6.12", "linux-source-6.12"), "1", X86, "CONFIG_A=y\n"u8.ToArray(), null, "script"u8.ToArray()),
                Is.EqualTo(key), "the role is a name for the series, not part of the build");
            Assert.That(TestKernel.CacheKey(new KernelSeries("lts", "7.3", "linux-source-7.3"), "1", X86, "CONFIG_A=y\n"u8.ToArray(), null, "script"u8.ToArray()),
                Is.Not.EqualTo(key));
        });
    }

    [Test]
    public void Both_configured_kernels_have_a_series_and_a_package()
    {
        string? root = TestKernel.FindRepositoryRoot();
        if (root is null)
            Assert.Ignore("needs the repository's scripts");
        var roles = KernelSeries.Configured(root!).Select(k => k.Role);
        Assert.That(roles, Is.EquivalentTo(new[] { "lts", "stable" }));
        Assert.That(KernelSeries.Find(root!, "lts")!.Package, Does.StartWith("linux-source-"));
    }

    [Test]
    public void An_unknown_series_is_explained()
    {
        if (TestKernel.FindRepositoryRoot() is null || Environment.GetEnvironmentVariable(EnvironmentVariables.TestKernel) is { Length: > 0 })
            Assert.Ignore("needs the repository's scripts and no IOMMUFD_TEST_KERNEL");
        var lookup = TestKernel.Locate("9.99");
        Assert.That(lookup.Found, Is.False);
        Assert.That(lookup.Explanation, Does.Contain("no kernel series '9.99'").And.Contain("6.12"));
    }

    [Test]
    public void The_series_comes_from_the_environment_else_lts()
    {
        string? saved = Environment.GetEnvironmentVariable(EnvironmentVariables.KernelSeries);
        try
        {
            Environment.SetEnvironmentVariable(EnvironmentVariables.KernelSeries, null);
            Assert.That(TestKernel.RequestedSeries(), Is.EqualTo("lts"));
            Environment.SetEnvironmentVariable(EnvironmentVariables.KernelSeries, "7.3");
            Assert.That(TestKernel.RequestedSeries(), Is.EqualTo("7.3"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(EnvironmentVariables.KernelSeries, saved);
        }
    }

    [Test]
    public void An_override_that_does_not_exist_is_explained()
    {
        string? saved = Environment.GetEnvironmentVariable(EnvironmentVariables.TestKernel);
        try
        {
            Environment.SetEnvironmentVariable(EnvironmentVariables.TestKernel, "/nonexistent/bzImage");
            var lookup = TestKernel.Locate();
            Assert.That(lookup.Found, Is.False);
            Assert.That(lookup.Explanation, Does.Contain("/nonexistent/bzImage"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(EnvironmentVariables.TestKernel, saved);
        }
    }
}

using System.Diagnostics;

namespace IommuFd.TestVm.Tests;

[TestFixture]
public sealed class TestKernelTests
{
    [Test]
    public void The_cache_key_matches_the_build_script()
    {
        string? root = TestKernel.FindRepositoryRoot();
        string? version = TestKernel.SourceVersion();
        if (root is null || version is null)
            Assert.Ignore("needs the repository's build script and linux-source-6.12 installed");

        var info = new ProcessStartInfo(Path.Combine(root!, TestKernel.BuildScript)) { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("--key");
        using var script = Process.Start(info)!;
        string scriptKey = script.StandardOutput.ReadToEnd().Trim();
        script.WaitForExit();

        string ourKey = TestKernel.CacheKey(version!,
            File.ReadAllBytes(Path.Combine(root!, TestKernel.Fragment)), File.ReadAllBytes(Path.Combine(root!, TestKernel.BuildScript)));
        Assert.That(ourKey, Is.EqualTo(scriptKey));
    }

    [Test]
    public void The_key_changes_with_the_fragment()
    {
        string a = TestKernel.CacheKey("1", "CONFIG_A=y\n"u8, "script"u8);
        string b = TestKernel.CacheKey("1", "CONFIG_B=y\n"u8, "script"u8);
        Assert.That(a, Is.Not.EqualTo(b));
    }

    [Test]
    public void An_override_that_does_not_exist_is_explained()
    {
        string? saved = Environment.GetEnvironmentVariable(TestKernel.OverrideVariable);
        try
        {
            Environment.SetEnvironmentVariable(TestKernel.OverrideVariable, "/nonexistent/bzImage");
            var lookup = TestKernel.Locate();
            Assert.That(lookup.Found, Is.False);
            Assert.That(lookup.Explanation, Does.Contain("/nonexistent/bzImage"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(TestKernel.OverrideVariable, saved);
        }
    }
}

using IommuFd.Interop;

namespace IommuFd.TestVm.Tests;

/// <summary>The test kernel for VM tests: found, or the test skips (fails when IOMMUFD_REQUIRE_KERNEL=1).</summary>
internal static class RequiredKernel
{
    private static readonly Lazy<TestKernelLookup> Lookup = new(TestKernel.Locate);

    /// <summary>The bzImage path; ends the test with Ignore or Fail when there is none.</summary>
    public static string Image()
    {
        var lookup = Lookup.Value;
        if (lookup.Found)
            return lookup.ImagePath!;
        string message = $"no test kernel: {lookup.Explanation}";
        if (Environment.GetEnvironmentVariable(EnvironmentVariables.RequireKernel) == "1")
            Assert.Fail(message + " (IOMMUFD_REQUIRE_KERNEL=1 demands it)");
        Assert.Ignore(message);
        return null!;
    }

    /// <summary>The series (major.minor) of the kernel the tests boot: IOMMUFD_KERNEL_SERIES's, else lts's.</summary>
    public static string Series()
    {
        string requested = TestKernel.RequestedSeries();
        return TestKernel.FindRepositoryRoot() is { } root && KernelSeries.Find(root, requested) is { } kernel ? kernel.Series : requested;
    }

    /// <summary>A fresh out folder under the test's work directory.</summary>
    public static string NewOutDirectory(string label) =>
        Path.Combine(TestContext.CurrentContext.WorkDirectory, "vm-out", $"{label}-{Guid.NewGuid():N}"[..(label.Length + 9)]);
}

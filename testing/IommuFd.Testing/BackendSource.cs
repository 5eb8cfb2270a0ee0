using IommuFd.Bindings.Backends;
using IommuFd.Interop;
using IommuFd.TestVm;
using NUnit.Framework;

namespace IommuFd.Testing;

/// <summary>The fixture arguments of every per-backend fixture, and the kernel side of the tier: the
/// real kernel, or the end of the test with the reason it cannot run here.</summary>
public static class BackendSource
{
    /// <summary>Fixture arguments: one fixture per backend, the kernel one in category Kernel.</summary>
    public static IEnumerable<TestFixtureData> Fixtures()
    {
        yield return new TestFixtureData(BackendKind.Engine).SetArgDisplayNames(BackendKind.Engine.Name());
        var kernel = new TestFixtureData(BackendKind.Kernel).SetArgDisplayNames(BackendKind.Kernel.Name());
        kernel.Properties.Add(NUnit.Framework.Internal.PropertyNames.Category, KernelTier.Category);
        yield return kernel;
    }

    /// <summary>True when IOMMUFD_REQUIRE_KERNEL=1: a missing kernel backend is then a failure.</summary>
    public static bool KernelRequired => Environment.GetEnvironmentVariable(EnvironmentVariables.RequireKernel) == "1";

    /// <summary>The real kernel, or the end of the test: the kernel tier decides between /dev/iommu here
    /// and the test VM behind <paramref name="model"/> (null: the tier's default), relaying this test's
    /// result from inside it; Ignore with the reason (Fail with IOMMUFD_REQUIRE_KERNEL=1) otherwise. Call
    /// it from a test or its [SetUp]: the tier matches the VM's result by the current test's name.</summary>
    public static IIommuBackend Kernel(IommuModel? model = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            Unavailable("kernel backend: iommufd exists only on Linux");
            throw new InvalidOperationException("unreachable: Unavailable ends the test");
        }
        return model is { } m ? KernelTier.Backend(m) : KernelTier.Backend();
    }

    /// <summary>Ends the test for something this machine lacks: Ignore with the reason, or Fail when
    /// IOMMUFD_REQUIRE_KERNEL=1 (CI, whose VMs are meant to give everything).</summary>
    public static void Unavailable(string reason)
    {
        if (KernelRequired)
            Assert.Fail($"{reason}, and {EnvironmentVariables.RequireKernel}=1 demands it");
        Assert.Ignore(reason);
    }
}

using System.Reflection;
using IommuFd.Bindings.Backends;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>The two backends every conformance fixture runs on: "engine" (the managed model, on
/// every machine) and "kernel" (category Kernel: real /dev/iommu, locally or in the test VM).</summary>
public static class BackendSource
{
    /// <summary>Category of every test that needs the real kernel.</summary>
    public const string KernelCategory = "Kernel";

    /// <summary>Fixture arguments: one fixture per backend.</summary>
    public static IEnumerable<TestFixtureData> Fixtures()
    {
        yield return new TestFixtureData("engine");
        var kernel = new TestFixtureData("kernel");
        kernel.Properties.Add(NUnit.Framework.Internal.PropertyNames.Category, KernelCategory);
        yield return kernel;
    }

    /// <summary>True when IOMMUFD_REQUIRE_KERNEL=1: a missing kernel backend is then a failure.</summary>
    public static bool KernelRequired => Environment.GetEnvironmentVariable("IOMMUFD_REQUIRE_KERNEL") == "1";

    /// <summary>Creates the named backend, or ends the test: Ignore with the reason when the backend
    /// is not available here (Fail instead when the kernel is required). Call it from a test or its
    /// [SetUp]: on a host without /dev/iommu the kernel tier ends each calling test with the result
    /// of the same test run inside the test VM.</summary>
    public static IIommuBackend Create(string name) => name switch
    {
        "engine" => CreateEngine(),
        "kernel" => CreateKernel(mockDomains: false),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown backend"),
    };

    /// <summary>Like <see cref="Create(string)"/> for tests that use mock devices and mock domains: the
    /// kernel runs behind virtio-iommu (IOMMU_TEST_OP_MOCK_DOMAIN is EINVAL under the emulated VT-d and
    /// AMD-Vi, whose driver is offered the mock devices), and the engine models that machine.</summary>
    public static IIommuBackend CreateForMockDomains(string name) => name switch
    {
        "engine" => new IommuFd.Engine.EngineBackend(TestKernelEngine.MockDomainOptions()),
        "kernel" => CreateKernel(mockDomains: true),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown backend"),
    };

    private static IIommuBackend CreateEngine() => TestKernelEngine.Create();

    // The kernel tier decides: /dev/iommu here, else the test VM (relaying this test's result from
    // inside it), else Ignore (Fail with IOMMUFD_REQUIRE_KERNEL=1).
    private static IIommuBackend CreateKernel(bool mockDomains)
    {
        if (!OperatingSystem.IsLinux())
        {
            Unavailable("kernel backend: iommufd exists only on Linux");
            throw new InvalidOperationException("unreachable: Unavailable ends the test");
        }
        return mockDomains ? IommuFd.Testing.KernelTier.Backend(IommuFd.TestVm.IommuModel.Virtio) : IommuFd.Testing.KernelTier.Backend();
    }

    /// <summary>Ends the test for something this machine lacks: Ignore with the reason, or Fail when
    /// IOMMUFD_REQUIRE_KERNEL=1 (CI, whose VMs are meant to give everything).</summary>
    public static void Unavailable(string reason)
    {
        if (KernelRequired)
            Assert.Fail($"{reason}, and IOMMUFD_REQUIRE_KERNEL=1 demands it");
        Assert.Ignore(reason);
    }
}

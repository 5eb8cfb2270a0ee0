using IommuFd.Bindings.Backends;
using IommuFd.Engine;
using IommuFd.Testing;

namespace IommuFd.Bindings.Tests.Backend;

/// <summary>Makes the backend a fixture asked for, or ends the test with the reason it cannot run.</summary>
public static class BackendFactory
{
    /// <summary>Set to 1 to make a missing kernel backend a failure instead of a skip.</summary>
    public const string RequireKernelVariable = KernelTier.RequireKernelVariable;

    /// <summary>The engine, configured like the test VM's kernel (CONFIG_IOMMUFD_TEST), or the real kernel
    /// through the kernel tier: /dev/iommu here, the QEMU test VM, or a skip (a failure when
    /// IOMMUFD_REQUIRE_KERNEL=1). Call from SetUp or a test: the tier matches the VM's result by test name.</summary>
    public static IIommuBackend Create(string name, IommuFd.TestVm.IommuModel? kernelModel = null) => name switch
    {
        "engine" => new EngineBackend(EngineOptions.Default with { IommufdTest = true }),
        "kernel" => kernelModel is { } model ? KernelTier.Backend(model) : KernelTier.Backend(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown backend"),
    };

    /// <summary>The VFIO device cdev the device tests use: the first edu device the test VM bound to
    /// vfio-pci (the tier skips the test without one); the engine models no device, so its lookup
    /// of the usual first cdev answers ENOENT and the test skips.</summary>
    public static string VfioDevicePath(string backend) =>
        backend == "kernel" ? KernelTier.EduVfioDevices()[0] : "/dev/vfio/devices/vfio0";
}

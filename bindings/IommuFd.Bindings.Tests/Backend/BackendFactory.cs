using IommuFd.Bindings.Backends;

namespace IommuFd.Bindings.Tests.Backend;

/// <summary>Makes the backend a fixture asked for, or ends the fixture with the reason it cannot run.</summary>
public static class BackendFactory
{
    /// <summary>Set to 1 to make a missing kernel backend a failure instead of a skip.</summary>
    public const string RequireKernelVariable = "IOMMUFD_REQUIRE_KERNEL";

    public static IIommuBackend Create(string name)
    {
        switch (name)
        {
            case "engine":
                // Like the test VM's kernel, built with CONFIG_IOMMUFD_TEST.
                return new IommuFd.Engine.EngineBackend(IommuFd.Engine.EngineOptions.Default with { IommufdTest = true });
            case "kernel":
                if (File.Exists("/dev/iommu"))
                    return new KernelBackend();
                string reason = "no /dev/iommu on this host (kernel without CONFIG_IOMMUFD, or not running in the test VM)";
                if (Environment.GetEnvironmentVariable(RequireKernelVariable) == "1")
                    Assert.Fail($"{RequireKernelVariable}=1 demands the kernel backend, but there is {reason}");
                Assert.Ignore(reason);
                break;
        }
        throw new ArgumentException($"unknown backend {name}", nameof(name));
    }

    /// <summary>The VFIO device cdev the device tests use on <paramref name="backend"/>.</summary>
    public static string VfioDevicePath(string backend) => "/dev/vfio/devices/vfio0";
}

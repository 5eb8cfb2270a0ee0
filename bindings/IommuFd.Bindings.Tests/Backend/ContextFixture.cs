using IommuFd.Bindings.Backends;
using IommuFd.Engine;
using IommuFd.Interop;
using IommuFd.Testing;

namespace IommuFd.Bindings.Tests.Backend;

/// <summary>Base of the bindings' behavioural fixtures: per backend, each test gets a fresh backend
/// (<see cref="BackendFixture"/>), an open iommufd and user memory that lives until its end.</summary>
public abstract class ContextFixture(BackendKind kind) : BackendFixture(kind)
{
    /// <summary>The page size of this machine (the kernel's PAGE_SIZE).</summary>
    protected static readonly ulong PageSize = (ulong)Environment.SystemPageSize;

    private readonly List<UserMemory> _memory = [];

    protected IommufdContext Context { get; private set; } = null!;

    /// <summary>The release the backend answers as: the engine's model, or the running kernel's.</summary>
    protected string Release => Backend is IKernelReleaseInfo info ? info.KernelRelease : File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

    protected bool Has73 => KernelRelease.Parse(Release).AtLeast(7, 3);

    /// <summary>The engine configured like the test VM's kernel (CONFIG_IOMMUFD_TEST).</summary>
    protected override IIommuBackend CreateEngine() => new EngineBackend(EngineOptions.Default with { IommufdTest = true });

    [SetUp]
    public void OpenContext() => Context = IommufdContext.Open(Backend);

    [TearDown]
    public void CloseContext()
    {
        Context?.Dispose();
        foreach (UserMemory memory in _memory)
            memory.Dispose();
        _memory.Clear();
        Context = null!;
    }

    /// <summary>Page-aligned user memory that lives until the end of the test.</summary>
    protected UserMemory Memory(ulong length)
    {
        UserMemory memory = Backend.Allocate((nuint)length);
        _memory.Add(memory);
        return memory;
    }

    /// <summary>The VFIO device cdev the device tests use: the first edu device the test VM bound to
    /// vfio-pci (the tier skips the test without one); the engine models no device, so its lookup
    /// of the usual first cdev answers ENOENT and the test skips.</summary>
    protected string VfioDevicePath() =>
        Kind == BackendKind.Kernel ? KernelTier.EduVfioDevices()[0] : "/dev/vfio/devices/vfio0";

    /// <summary>Skips the test when the backend has no selftest (ENOTTY to IOMMU_TEST_CMD). The test VM's
    /// kernel is built with CONFIG_IOMMUFD_TEST, so when the kernel is demanded its absence fails.</summary>
    protected void RequireSelftest(Errno errno)
    {
        if (errno != Errno.ENOTTY)
            return;
        string reason = $"the {Kind.Name()} backend answers ENOTTY to IOMMU_TEST_CMD: it has no selftest mock " +
                        "(a kernel built without CONFIG_IOMMUFD_TEST, or an engine without it)";
        if (Kind == BackendKind.Kernel && BackendSource.KernelRequired)
            Assert.Fail($"{reason}; {EnvironmentVariables.RequireKernel}=1 demands the test kernel, which has it");
        Assert.Ignore(reason);
    }
}

using IommuFd.Bindings.Backends;

namespace IommuFd.Bindings.Tests.Backend;

/// <summary>The backends every behavioural fixture runs on: the managed engine everywhere, the real
/// kernel in the kernel tier.</summary>
public static class Backends
{
    /// <summary>Fixture arguments: "engine", and "kernel" in category Kernel.</summary>
    public static IEnumerable<TestFixtureData> All()
    {
        yield return new TestFixtureData("engine").SetArgDisplayNames("engine");
        var kernel = new TestFixtureData("kernel").SetArgDisplayNames("kernel");
        kernel.Properties.Add(NUnit.Framework.Internal.PropertyNames.Category, IommuFd.Testing.KernelTier.Category);
        yield return kernel;
    }
}

/// <summary>Base of the fixtures that run one set of tests per backend, each test on a fresh backend and
/// iommufd. A backend that is absent skips with the reason, unless IOMMUFD_REQUIRE_KERNEL=1 demands the
/// kernel. The backend is made per test, in SetUp, because the kernel tier matches the test it runs
/// in the VM by the current test's name.</summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.All))]
public abstract class BackendFixture(string backendName)
{
    /// <summary>The page size of this machine (the kernel's PAGE_SIZE).</summary>
    protected static readonly ulong PageSize = (ulong)Environment.SystemPageSize;

    private readonly List<UserMemory> _memory = [];

    protected string BackendName { get; } = backendName;
    protected IIommuBackend Backend { get; private set; } = null!;
    protected IommufdContext Context { get; private set; } = null!;

    /// <summary>The IOMMU the kernel tier must run these tests behind; null for any.</summary>
    protected virtual IommuFd.TestVm.IommuModel? KernelModel => null;

    [SetUp]
    public void OpenContext()
    {
        Backend = BackendFactory.Create(BackendName, KernelModel);
        Context = IommufdContext.Open(Backend);
    }

    [TearDown]
    public void CloseContext()
    {
        Context?.Dispose();
        foreach (UserMemory memory in _memory)
            memory.Dispose();
        _memory.Clear();
        Backend?.Dispose();
        Context = null!;
        Backend = null!;
    }

    /// <summary>Page-aligned user memory that lives until the end of the test.</summary>
    protected UserMemory Memory(ulong length)
    {
        UserMemory memory = Backend.Allocate((nuint)length);
        _memory.Add(memory);
        return memory;
    }

    /// <summary>Skips the test when the backend has no selftest (ENOTTY to IOMMU_TEST_CMD), or, on the engine,
    /// not this op (ENOSYS). The test VM's kernel is built with CONFIG_IOMMUFD_TEST, so when the kernel is
    /// demanded its absence fails.</summary>
    protected void RequireSelftest(Errno errno)
    {
        // iommufd never answers ENOSYS: the engine uses it for selftest ops it does not model yet.
        if (errno == Errno.ENOSYS && BackendName == "engine")
            Assert.Ignore("the engine does not model this IOMMU_TEST_CMD op yet (it answers ENOSYS)");
        if (errno != Errno.ENOTTY)
            return;
        string reason = $"the {BackendName} backend answers ENOTTY to IOMMU_TEST_CMD: it has no selftest mock " +
                        "(a kernel built without CONFIG_IOMMUFD_TEST, or an engine without it)";
        if (BackendName == "kernel" && Environment.GetEnvironmentVariable(BackendFactory.RequireKernelVariable) == "1")
            Assert.Fail($"{reason}; {BackendFactory.RequireKernelVariable}=1 demands the test kernel, which has it");
        Assert.Ignore(reason);
    }
}

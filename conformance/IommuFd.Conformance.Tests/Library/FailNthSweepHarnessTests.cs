using IommuFd.Bindings.Backends;
using IommuFd.Conformance.FailNth;
using IommuFd.Interop;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>The fail-nth harness on any machine: the "kernel" is an engine behind a fake fault
/// injector whose every ioctl passes two fault points, so the sweep's counting, the engine replay
/// without the failed call, the state probe and the problem reports are checked without a kernel.</summary>
public sealed class FailNthSweepHarnessTests
{
    private const int PointsPerIoctl = 2;

    [Test]
    public void A_kernel_that_fails_cleanly_passes_every_run()
    {
        FailNthResult result = Sweep(FaultyKernel.Mode.Clean);
        int ioctls = TraceFiles.Load("failnth/basic").Steps.Count(s => s is Traces.IoctlStep);
        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.Empty, result.ToText());
            Assert.That(result.Tried, Is.EqualTo(ioctls * PointsPerIoctl + 1), "N runs until one injects nothing");
            Assert.That(result.Injected, Is.EqualTo(ioctls * PointsPerIoctl));
            Assert.That(result.Outcomes, Is.EquivalentTo(new Dictionary<string, int> { ["ENOMEM"] = ioctls * PointsPerIoctl }));
        });
    }

    [Test]
    public void A_call_that_changes_state_and_then_fails_is_reported()
    {
        FailNthResult result = Sweep(FaultyKernel.Mode.LeavesStateBehind);
        Assert.That(result.Failed, Is.Not.Empty);
        Assert.That(result.ToText(), Does.Contain("diverge").Or.Contain("state after the sequence differs"));
    }

    [Test]
    public void An_unclean_errno_is_reported()
    {
        FailNthResult result = Sweep(FaultyKernel.Mode.Ebusy);
        Assert.That(result.Failed, Has.Count.EqualTo(result.Injected));
        Assert.That(result.ToText(), Does.Contain("failed with EBUSY, not a clean errno ("));
    }

    [Test]
    public void A_kernel_log_report_is_reported()
    {
        using var kernel = TestKernelEngine.Create();
        using var engine = TestKernelEngine.Create();
        var injector = new CountingInjector();
        using var faulty = new FaultyKernel(kernel, injector, FaultyKernel.Mode.Clean);
        int calls = 0;
        IReadOnlyList<string> Log() => ++calls == 3 ? ["WARNING: CPU: 0 PID: 1 at drivers/iommu/iommufd/pages.c:1 x"] : [];
        FailNthResult result = new FailNthSweep(faulty, engine, () => injector, Log, new FailNthOptions()).Run(TraceFiles.Load("failnth/basic"));
        Assert.That(result.Failed, Has.Count.EqualTo(1));
        Assert.That(result.ToText(), Does.Contain("the kernel log reports a problem (WARNING: CPU: 0"));
    }

    [Test]
    public void An_absorbed_fault_that_changes_results_diverges_unless_marked_unmodelled()
    {
        FailNthResult compared = Sweep(FaultyKernel.Mode.AbsorbsIoasAllocDifferently);
        FailNthResult kernelSideOnly = Sweep(FaultyKernel.Mode.AbsorbsIoasAllocDifferently, new FailNthOptions { AbsorbedFaultsModelled = false });
        Assert.Multiple(() =>
        {
            Assert.That(compared.Failed, Is.Not.Empty);
            Assert.That(compared.Failed.All(run => run.InjectedErrno == 0), Is.True, "only the absorbed runs diverge");
            Assert.That(compared.ToText(), Does.Contain("diverge"));
            Assert.That(kernelSideOnly.Failed, Is.Empty, kernelSideOnly.ToText());
            Assert.That(kernelSideOnly.Outcomes["succeeded"], Is.EqualTo(PointsPerIoctl), "both fault points of the IOAS_ALLOC are absorbed");
        });
    }

    [Test]
    public void Kernel_reports_are_recognised() =>
        Assert.That(KernelReports.Find(["iommufd: hello", "BUG: KASAN: use-after-free in iopt_unmap", "refcount_t: underflow; use-after-free."]),
                    Has.Count.EqualTo(2));

    private static FailNthResult Sweep(FaultyKernel.Mode mode, FailNthOptions? options = null)
    {
        using var kernel = TestKernelEngine.Create();
        using var engine = TestKernelEngine.Create();
        var injector = new CountingInjector();
        using var faulty = new FaultyKernel(kernel, injector, mode);
        return new FailNthSweep(faulty, engine, () => injector, () => [], options ?? new FailNthOptions()).Run(TraceFiles.Load("failnth/basic"));
    }

    /// <summary>fail-nth's counter: armed with N, each point decrements, the point reaching 0 fails.</summary>
    private sealed class CountingInjector : IFaultInjector
    {
        private uint _counter;

        public void Arm(uint nth) => _counter = nth;

        public uint Disarm()
        {
            uint left = _counter;
            _counter = 0;
            return left;
        }

        public bool Hit()
        {
            if (_counter == 0)
                return false;
            return --_counter == 0;
        }
    }

    /// <summary>An engine whose ioctls pass <see cref="PointsPerIoctl"/> fault points each.</summary>
    private sealed unsafe class FaultyKernel(IIommuBackend engine, CountingInjector injector, FaultyKernel.Mode mode) : ForwardingBackend(engine)
    {
        // AbsorbsIoasAllocDifferently: a fault in IOAS_ALLOC is absorbed (the call succeeds) but first
        // allocates an extra IOAS, so the ID it returns is not the engine's.
        public enum Mode { Clean, LeavesStateBehind, Ebusy, AbsorbsIoasAllocDifferently }

        public override string Name => "kernel";

        public override int Ioctl(int fd, uint request, void* argument)
        {
            for (int point = 0; point < PointsPerIoctl; point++)
            {
                if (!injector.Hit())
                    continue;
                if (mode == Mode.AbsorbsIoasAllocDifferently && request == Iommufd.IOMMU_IOAS_ALLOC)
                {
                    iommu_ioas_alloc extra = *(iommu_ioas_alloc*)argument;
                    Inner.Ioctl(fd, request, &extra);
                    return Inner.Ioctl(fd, request, argument);
                }
                if (mode == Mode.LeavesStateBehind)
                    Inner.Ioctl(fd, request, argument);
                return -(mode == Mode.Ebusy ? Errno.EBUSY : Errno.ENOMEM);
            }
            return Inner.Ioctl(fd, request, argument);
        }
    }
}

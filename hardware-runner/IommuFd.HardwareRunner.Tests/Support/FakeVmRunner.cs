using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Vm;

namespace IommuFd.HardwareRunner.Tests.Support;

/// <summary>Stands for QEMU: writes what a guest runner would have written into the out share
/// (a full or a cut-off run), then reports the given ending. The guest names its kernel as
/// <paramref name="guestKernel"/> (default: the samples' host kernel) and may add an engine result.</summary>
public sealed class FakeVmRunner(VmEnding ending, int guestResults, bool guestFinishes, KernelIdentity? guestKernel = null, bool guestEngineResult = false) : IVmRunner
{
    public VmRequest? Request { get; private set; }

    public string GuestOutDirectory => "/run/out";

    public string GuestAppDirectory => "/opt/iommufd";

    public Task<VmRun> RunAsync(VmRequest request, CancellationToken cancellationToken)
    {
        Request = request;
        var store = new ResultStore(Path.Combine(request.OutDirectory, "results"), [new SummaryJsonWriter()], TimeSpan.FromHours(1));
        var group = new StaticTestGroup("kernel", "guest kernel", []);
        store.RunStarted(guestKernel is null ? Samples.Environment() : Samples.Environment() with { HostKernel = guestKernel }, 1);
        store.GroupStarted(group, guestResults + 1);
        for (int i = 0; i < guestResults; i++)
            store.CaseFinished(new TestCaseResult("kernel", $"iommufd.trace.t{i}", TestStatus.Pass, null, "", null, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(5)));
        if (guestEngineResult)
            store.CaseFinished(new TestCaseResult("engine", "iommufd.trace.t0", TestStatus.Pass, null, "", null, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(5)) { EngineOnly = true });
        if (guestFinishes)
        {
            store.GroupFinished(group, null);
            store.RunFinished(null);
        }
        return Task.FromResult(new VmRun(ending, ending == VmEnding.Completed ? 0 : null, $"VM {ending}", "[    0.0] Linux version 6.12.117\nDMAR: IOMMU enabled"));
    }
}

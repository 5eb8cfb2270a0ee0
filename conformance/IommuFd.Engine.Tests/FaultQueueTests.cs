using IommuFd.Interop;
using static IommuFd.Engine.Tests.Calls;

namespace IommuFd.Engine.Tests;

public class FaultQueueTests
{
    private const int ESPIPE = 29;

    [Test]
    public void FaultFdHoldsTheObjectAndTheContext()
    {
        using var engine = new EngineBackend();
        int fd = engine.Open("/dev/iommu");
        var cmd = new iommu_fault_alloc { size = Size<iommu_fault_alloc>() };
        Assert.That(Call(engine, fd, Iommufd.IOMMU_FAULT_QUEUE_ALLOC, ref cmd), Is.EqualTo(0));
        Assert.That(cmd.out_fault_id, Is.EqualTo(1u));
        Assert.That(cmd.out_fault_fd, Is.EqualTo(1001u));
        int faultFd = (int)cmd.out_fault_fd;

        Assert.That(Destroy(engine, fd, cmd.out_fault_id), Is.EqualTo(-EBUSY));
        Assert.That(engine.Read(faultFd, new byte[40]), Is.EqualTo(0));
        Assert.That(engine.Read(faultFd, new byte[41]), Is.EqualTo(-ESPIPE));
        Assert.That(engine.Read(faultFd, new byte[40], offset: 0), Is.EqualTo(-ESPIPE));
        Assert.That(engine.Write(faultFd, new byte[8]), Is.EqualTo(-EINVAL));
        Assert.That(engine.Write(faultFd, new byte[0]), Is.EqualTo(0));

        cmd.flags = 1;
        Assert.That(Call(engine, fd, Iommufd.IOMMU_FAULT_QUEUE_ALLOC, ref cmd), Is.EqualTo(-EOPNOTSUPP));

        // Closing the iommufd first: the context lives on until the fault fd goes.
        var ctx = engine.ContextOf(fd)!;
        Assert.That(engine.Close(fd), Is.EqualTo(0));
        Assert.That(ctx.Objects.IsEmpty, Is.False);
        Assert.That(engine.Close(faultFd), Is.EqualTo(0));
        Assert.That(ctx.Objects.IsEmpty, Is.True);
    }

    [Test]
    public void DestroyAfterTheFaultFdIsClosed()
    {
        using var engine = new EngineBackend();
        int fd = engine.Open("/dev/iommu");
        var cmd = new iommu_fault_alloc { size = Size<iommu_fault_alloc>() };
        Assert.That(Call(engine, fd, Iommufd.IOMMU_FAULT_QUEUE_ALLOC, ref cmd), Is.EqualTo(0));
        Assert.That(engine.Close((int)cmd.out_fault_fd), Is.EqualTo(0));
        Assert.That(Destroy(engine, fd, cmd.out_fault_id), Is.EqualTo(0));
        Assert.That(AllocIoas(engine, fd), Is.EqualTo(1u));
    }
}

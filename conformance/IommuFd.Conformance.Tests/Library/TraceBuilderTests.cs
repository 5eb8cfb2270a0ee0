using IommuFd.Conformance.Traces.Building;

namespace IommuFd.Conformance.Tests.Library;

public sealed class TraceBuilderTests
{
    [Test]
    public void HandlesWriteReferencesToTheStepsTheyCameFrom()
    {
        var t = new TraceBuilder("t");
        TraceBuffer a = t.Alloc("a", 8192);
        IoasHandle ioas = t.IoasAlloc("ioas");
        StepHandle map = t.IoasMap("map", ioas, a.At(4096), 4096);
        FdHandle access = t.TestCreateAccess("access", ioas, 0);
        t.TestAccessRw("rw", access.Fd, map.Out("iova"), 8, a.AtHex(0x10), 0);
        t.Close("close", access.Fd);
        Assert.That(t.Build().ToJsonLines(), Is.EqualTo("""
            {"op":"alloc","buf":"a","length":8192}
            {"op":"ioctl","label":"ioas","cmd":"IOMMU_IOAS_ALLOC","arg":{}}
            {"op":"ioctl","label":"map","cmd":"IOMMU_IOAS_MAP","arg":{"flags":6,"ioas_id":"$1.out_ioas_id","user_va":"@a+4096","length":4096}}
            {"op":"ioctl","label":"access","cmd":"IOMMU_TEST_CMD","arg":{"op":5,"id":"$1.out_ioas_id","create_access":{"flags":0}}}
            {"op":"ioctl","label":"rw","cmd":"IOMMU_TEST_CMD","arg":{"op":8,"id":"%1","access_rw":{"iova":"$2.iova","length":8,"uptr":"@a+0x10","flags":0}}}
            {"op":"close","label":"close","fd":1}

            """.Replace("\r\n", "\n")));
    }

    [Test]
    public void FdsAreNumberedInOpeningOrder()
    {
        var t = new TraceBuilder("t");
        FdHandle open = t.Open("open");
        FdHandle queue = t.FaultQueueAlloc("queue", 0);
        StepHandle raw = t.Ioctl("raw_queue", "IOMMU_FAULT_QUEUE_ALLOC", new Args { ["flags"] = 1 });
        Assert.That((open.Fd.Index, queue.Fd.Index, ((FdHandle)raw).Fd.Index), Is.EqualTo((1, 2, 3)));
    }

    [Test]
    public void ALabelUsedTwiceIsRefused()
    {
        var t = new TraceBuilder("twice");
        t.IoasAlloc("ioas");
        var error = Assert.Throws<ArgumentException>(() => t.IoasAlloc("ioas"));
        Assert.That(error!.Message, Does.StartWith("trace 'twice': label 'ioas' is used twice"));
    }
}

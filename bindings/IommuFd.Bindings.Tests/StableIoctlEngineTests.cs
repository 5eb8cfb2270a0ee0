using IommuFd.Engine;

namespace IommuFd.Bindings.Tests;

/// <summary>The 7.3 calls on an engine modelling 7.3.4, which answers them as docs/engine-notes.md says
/// today (the argument checks, then ENOSYS for what it does not model yet; NOIOMMU_GET_PA as a kernel
/// without CONFIG_IOMMUFD_NOIOMMU): the errno comes through bare, without the "lacks" sentence of 6.12,
/// and the vEVENT records split as the kernel writes them.</summary>
public sealed class StableIoctlEngineTests
{
    [Test]
    public void OnA73ModelTheCallsReachTheirHandlers()
    {
        // The test kernel's configuration: the selftest, no VFIO noiommu (so NOIOMMU_GET_PA is its stub).
        var options = EngineOptions.Default with { IommufdTest = true, Release = KernelRelease.Stable };
        using var backend = new EngineBackend(options with { Platform = options.Platform with { VfioNoIommu = false } });
        using var context = IommufdContext.Open(backend);
        Ioas ioas = context.CreateIoas();

        // Each answer is the first check its handler fails, as 7.3 orders them.
        Assert.That(ioas.TryMapFile(-1, 0, 4096, IoasMapFlags.ReadWrite, out _), Is.EqualTo(Errno.EBADF));  // fget
        Assert.That(ioas.TryGetNoIommuPhysical(0, 4096, out _, out _), Is.EqualTo(Errno.EOPNOTSUPP));
        Assert.That(context.TryChangeProcess(), Is.EqualTo(Errno.None));                                    // nothing mapped: nothing to move
        Assert.That(context.TryAllocViommu(new DeviceId(1), new HwptId(2), 1, default, out _), Is.EqualTo(Errno.ENOENT)); // ID 1 is the IOAS
        var e = Assert.Throws<IommuFdException>(() => context.AllocVdevice(new ViommuId(1), new DeviceId(2), 3))!;
        Assert.That(e.Message, Is.EqualTo("IOMMU_VDEVICE_ALLOC failed: ENOENT (2)"));
    }

    [Test]
    public void EventsSplitIntoHeadersAndData()
    {
        byte[] bytes =
        [
            0, 0, 0, 0, 7, 0, 0, 0, 0x99, 0, 0, 0, // sequence 7, virt_id 0x99
            1, 0, 0, 0, 8, 0, 0, 0,                // sequence 8: events were lost (a header alone)
            0, 0, 0, 0, 9, 0, 0, 0, 0x42, 0, 0, 0,
        ];
        IReadOnlyList<Vevent> events = VeventQueue.Parse(bytes, 4);
        Assert.That(events.Select(v => (v.Sequence, v.LostEvents, v.Data.Length)),
            Is.EqualTo(new[] { (7u, false, 4), (8u, true, 0), (9u, false, 4) }));
        Assert.That(events[2].Data[0], Is.EqualTo(0x42));
    }
}

using IommuFd.Interop;
using IommuFd.Testing;
using IommuFd.TestVm;

namespace IommuFd.Kernel.Tests;

/// <summary>
/// Real DMA through an emulated IOMMU: QEMU's edu device, assigned through its VFIO cdev to an
/// iommufd IOAS, copies user memory into its buffer and back; after an unmap its DMA must not reach
/// the memory any more, and the IOMMU must report the fault in the kernel log.
/// </summary>
[TestFixture]
[Category(KernelTier.Category)]
public sealed class EduDmaTests
{
    private const ulong SourceIova = 0x100000, DestinationIova = 0x101000; // under edu's 28-bit DMA mask
    private const uint Length = EduDevice.MaxTransfer;

    private static IEnumerable<IommuModel> Models => [IommuModel.Intel, IommuModel.Amd, IommuModel.Virtio];

    [TestCaseSource(nameof(Models))]
    public void Dma_round_trip_through_the_iommu_returns_the_same_bytes(IommuModel model)
    {
        using var backend = KernelTier.Backend(model);
        using var setup = DmaSetup.Create(backend);
        Random.Shared.NextBytes(setup.Source.Span[..(int)Length]);

        setup.Edu.Dma(SourceIova, EduDevice.BufferAddress, Length, toRam: false);
        setup.Edu.Dma(EduDevice.BufferAddress, DestinationIova, Length, toRam: true);

        Assert.That(setup.Destination.Span[..(int)Length].SequenceEqual(setup.Source.Span[..(int)Length]), Is.True,
            "the bytes that came back through edu differ from the ones sent");
    }

    [TestCaseSource(nameof(Models))]
    public void Dma_to_an_unmapped_iova_does_not_reach_memory_and_is_reported(IommuModel model)
    {
        using var backend = KernelTier.Backend(model);
        using var setup = DmaSetup.Create(backend);
        Random.Shared.NextBytes(setup.Source.Span[..(int)Length]);
        setup.Destination.Span.Fill(0xAA);
        setup.Edu.Dma(SourceIova, EduDevice.BufferAddress, Length, toRam: false);
        setup.Unmap(DestinationIova, 4096);
        int mark = KernelLog.Mark();

        setup.Edu.Dma(EduDevice.BufferAddress, DestinationIova, Length, toRam: true);

        Assert.That(setup.Destination.Span.ToArray(), Is.All.EqualTo((byte)0xAA), "DMA reached memory that is no longer mapped");
        if (FaultText(model) is not { } fault)
        {
            Assert.Pass($"{model}: the DMA was blocked; this QEMU's emulation of it logs no fault event, so none is asserted");
            return;
        }
        var log = KernelLog.WaitFor(mark, fault, TimeSpan.FromSeconds(10));
        TestContext.Out.WriteLine(string.Join('\n', log));
        Assert.That(log, Has.Some.Contains(fault), $"no IOMMU fault ('{fault}') in the kernel log after the DMA");
    }

    /// <summary>What each IOMMU driver logs for a DMA write to an unmapped IOVA. QEMU 7.2's AMD-Vi
    /// blocks the write but raised no IO_PAGE_FAULT event in any of our runs: nothing to look for.</summary>
    private static string? FaultText(IommuModel model) => model switch
    {
        IommuModel.Intel => "DMAR: [DMA Write",
        IommuModel.Amd => null,
        IommuModel.Virtio => "fault from EP",
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    /// <summary>An iommufd, an IOAS, the first edu device bound and attached, two mapped buffers.</summary>
    private sealed class DmaSetup : IDisposable
    {
        private readonly IommuFd.Bindings.Backends.IIommuBackend _backend;
        private readonly int _iommufd;
        private readonly uint _ioas;

        private DmaSetup(IommuFd.Bindings.Backends.IIommuBackend backend, int iommufd, uint ioas, EduDevice edu,
            IommuFd.Bindings.Backends.UserMemory source, IommuFd.Bindings.Backends.UserMemory destination)
        {
            _backend = backend;
            _iommufd = iommufd;
            _ioas = ioas;
            Edu = edu;
            Source = source;
            Destination = destination;
        }

        public EduDevice Edu { get; }
        public IommuFd.Bindings.Backends.UserMemory Source { get; }
        public IommuFd.Bindings.Backends.UserMemory Destination { get; }

        public static DmaSetup Create(IommuFd.Bindings.Backends.IIommuBackend backend)
        {
            string cdev = KernelTier.EduVfioDevices()[0];
            int iommufd = backend.Open("/dev/iommu");
            Assert.That(iommufd, Is.GreaterThanOrEqualTo(0), "open /dev/iommu");
            var edu = EduDevice.Open(backend, cdev);

            Assert.That(edu.Bind(iommufd, out uint devid), Is.Zero, "VFIO_DEVICE_BIND_IOMMUFD");
            Assert.That(devid, Is.Not.Zero);
            var alloc = new iommu_ioas_alloc();
            Assert.That(IommufdIoctls.IOMMU_IOAS_ALLOC(backend, iommufd, ref alloc), Is.Zero, "IOMMU_IOAS_ALLOC");
            uint pt = alloc.out_ioas_id;
            Assert.That(edu.Attach(ref pt), Is.Zero, "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
            Assert.That(pt, Is.Not.EqualTo(alloc.out_ioas_id), "attaching to an IOAS reports the automatic HWPT's id");

            var source = backend.Allocate(4096);
            var destination = backend.Allocate(4096);
            var setup = new DmaSetup(backend, iommufd, alloc.out_ioas_id, edu, source, destination);
            setup.Map(SourceIova, source);
            setup.Map(DestinationIova, destination);
            edu.EnableDma();
            return setup;
        }

        public void Unmap(ulong iova, ulong length)
        {
            var unmap = new iommu_ioas_unmap { ioas_id = _ioas, iova = iova, length = length };
            Assert.That(IommufdIoctls.IOMMU_IOAS_UNMAP(_backend, _iommufd, ref unmap), Is.Zero, $"unmap {iova:x}");
        }

        private void Map(ulong iova, IommuFd.Bindings.Backends.UserMemory memory)
        {
            var map = new iommu_ioas_map
            {
                flags = (uint)(Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE),
                ioas_id = _ioas,
                user_va = memory.Address,
                length = (ulong)memory.Length,
                iova = iova,
            };
            Assert.That(IommufdIoctls.IOMMU_IOAS_MAP(_backend, _iommufd, ref map), Is.Zero, $"map at {iova:x}");
        }

        public void Dispose()
        {
            Edu.Dispose();
            _backend.Close(_iommufd);
            Source.Dispose();
            Destination.Dispose();
        }
    }
}

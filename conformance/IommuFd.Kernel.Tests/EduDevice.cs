using System.Buffers.Binary;
using System.Diagnostics;
using IommuFd.Bindings.Backends;
using IommuFd.Interop;

namespace IommuFd.Kernel.Tests;

/// <summary>
/// QEMU's edu device through its VFIO cdev: bind to an iommufd, attach to a page table, and program
/// its DMA engine through BAR0 (pread/pwrite on the device fd at the region offsets VFIO reports).
/// edu registers: 0x80 DMA source, 0x88 destination, 0x90 count, 0x98 command (bit 0 start/busy,
/// bit 1 direction edu-to-RAM); its internal buffer is at 0x40000; its DMA mask is 28 bits.
/// </summary>
internal sealed class EduDevice : IDisposable
{
    /// <summary>The edu buffer's address in the device's DMA command space.</summary>
    public const ulong BufferAddress = 0x40000;

    /// <summary>The largest transfer QEMU 7.2's edu survives (4096 aborts QEMU: "DMA range out of bounds").</summary>
    public const uint MaxTransfer = 2048;

    private const uint RegIdent = 0x00, RegDmaSource = 0x80, RegDmaDestination = 0x88, RegDmaCount = 0x90, RegDmaCommand = 0x98;
    private const uint CommandStart = 1, CommandToRam = 2;
    private const ushort PciCommandMemory = 0x2, PciCommandBusMaster = 0x4;

    private readonly IIommuBackend _backend;
    private ulong _barOffset;
    private ulong _configOffset;

    private EduDevice(IIommuBackend backend, int fd)
    {
        _backend = backend;
        Fd = fd;
    }

    /// <summary>The device fd.</summary>
    public int Fd { get; private set; }

    /// <summary>Opens the cdev; fails the test when it cannot.</summary>
    public static EduDevice Open(IIommuBackend backend, string cdev)
    {
        int fd = backend.Open(cdev);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), $"open({cdev})");
        return new EduDevice(backend, fd);
    }

    /// <summary>VFIO_DEVICE_BIND_IOMMUFD; returns the kernel's result, devid out.</summary>
    public int Bind(int iommufd, out uint devid)
    {
        var bind = new vfio_device_bind_iommufd { iommufd = iommufd };
        int rc = VfioIoctls.VFIO_DEVICE_BIND_IOMMUFD(_backend, Fd, ref bind);
        devid = bind.out_devid;
        return rc;
    }

    /// <summary>VFIO_DEVICE_ATTACH_IOMMUFD_PT; <paramref name="ptId"/> in, the attached HWPT out.</summary>
    public int Attach(ref uint ptId)
    {
        var attach = new vfio_device_attach_iommufd_pt { pt_id = ptId };
        int rc = VfioIoctls.VFIO_DEVICE_ATTACH_IOMMUFD_PT(_backend, Fd, ref attach);
        ptId = attach.pt_id;
        return rc;
    }

    /// <summary>Looks up BAR0 and config space, checks edu's identity, and turns on memory decoding and bus mastering.</summary>
    public void EnableDma()
    {
        _barOffset = RegionOffset(Vfio.VFIO_PCI_BAR0_REGION_INDEX);
        _configOffset = RegionOffset(Vfio.VFIO_PCI_CONFIG_REGION_INDEX);
        Span<byte> command = stackalloc byte[2];
        Assert.That(_backend.Read(Fd, command, (long)_configOffset + 4), Is.EqualTo(2), "read PCI command");
        ushort value = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(command) | PciCommandMemory | PciCommandBusMaster);
        BinaryPrimitives.WriteUInt16LittleEndian(command, value);
        Assert.That(_backend.Write(Fd, command, (long)_configOffset + 4), Is.EqualTo(2), "write PCI command");
        Assert.That(Read32(RegIdent) & 0xff, Is.EqualTo(0xed), "edu identification register");
    }

    /// <summary>Runs one DMA transfer and waits for the device to finish it.</summary>
    public void Dma(ulong source, ulong destination, uint count, bool toRam)
    {
        // edu takes a 4-byte write of 0x80/0x88 as the whole address; its 28-bit DMA mask keeps IOVAs small anyway.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(source, 0x0FFF_FFFFUL);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(destination, 0x0FFF_FFFFUL);
        Write32(RegDmaSource, (uint)source);
        Write32(RegDmaDestination, (uint)destination);
        Write32(RegDmaCount, count);
        Write32(RegDmaCommand, CommandStart | (toRam ? CommandToRam : 0));
        var watch = Stopwatch.StartNew();
        while ((Read32(RegDmaCommand) & CommandStart) != 0)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
                Assert.Fail("edu DMA did not finish within 30 s");
            Thread.Sleep(10);
        }
    }

    public void Dispose()
    {
        if (Fd >= 0)
            _backend.Close(Fd);
        Fd = -1;
    }

    private ulong RegionOffset(uint index)
    {
        var info = new vfio_region_info { index = index };
        int rc = VfioIoctls.VFIO_DEVICE_GET_REGION_INFO(_backend, Fd, ref info);
        Assert.That(rc, Is.Zero, $"VFIO_DEVICE_GET_REGION_INFO({index})");
        Assert.That(info.size, Is.GreaterThan(0UL), $"region {index} size");
        return info.offset;
    }

    private uint Read32(uint register)
    {
        Span<byte> b = stackalloc byte[4];
        Assert.That(_backend.Read(Fd, b, (long)(_barOffset + register)), Is.EqualTo(4), $"read edu register {register:x}");
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    private void Write32(uint register, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Assert.That(_backend.Write(Fd, b, (long)(_barOffset + register)), Is.EqualTo(4), $"write edu register {register:x}");
    }
}

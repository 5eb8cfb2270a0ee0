using IommuFd.Interop;
using IommuFd.Engine;

namespace IommuFd.Engine.Tests;

/// <summary>7.3's reserved_overflow: aligning an automatic IOVA in the last free span below the top
/// page must not wrap. Whether the alignment reaches past that span depends on THP, which raises the
/// cap from PAGE_SIZE to the huge page size (the test kernel has no THP; the suite checks that case on it).</summary>
public sealed class AutomaticIovaOverflowTests
{
    private const ulong HugeAlignedUptr = 2UL << 21, Length = 0x5000;

    [Test]
    public void WithThpTheAlignedStartWrapsAndNothingFits()
    {
        var table = new IoPageTable.IoPageTable(PlatformProfile.X86_64);
        Assert.That(table.ReserveIova(6, 0xffff_ffff_ffff_8006, owner: null), Is.Zero);
        Assert.That(table.AllocIova(out _, HugeAlignedUptr, Length), Is.EqualTo(-ErrnoValues.ENOSPC));
    }

    [Test]
    public void WithoutThpThePageAlignedStartFits()
    {
        var table = new IoPageTable.IoPageTable(PlatformProfile.X86_64 with { TransparentHugePages = false });
        Assert.That(table.ReserveIova(6, 0xffff_ffff_ffff_8006, owner: null), Is.Zero);
        Assert.That(table.AllocIova(out ulong iova, HugeAlignedUptr, Length), Is.Zero);
        Assert.That(iova, Is.EqualTo(0xffff_ffff_ffff_9000));
    }
}

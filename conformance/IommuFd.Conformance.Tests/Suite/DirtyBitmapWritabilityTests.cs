using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using IommuFd.Bindings.Backends;
using IommuFd.Interop;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>IOMMU_HWPT_GET_DIRTY_BITMAP into a bitmap that crosses into a read-only page (traces cannot
/// mprotect, so the calls are made here directly). The kernel pins the bitmap for write as it sets
/// bits and drops, silently, the rest of one dirty IO page's bits from the first byte it cannot pin:
/// bits before a read-only page land, and bits after it in the same IO page's run are lost too.</summary>
public sealed unsafe partial class DirtyBitmapWritabilityTests(BackendKind backend) : MockDomainFixture(backend)
{
    private const ulong Page = TestEnv.PageSize, Base = TestEnv.BaseIova;
    private const int ProtRead = 1, ProtReadWrite = 3;

    [Test]
    public void BitsStopAtTheFirstPageThatCannotBePinned()
    {
        using UserMemory buffer = Backend.Allocate((nuint)Page);
        using UserMemory scratch = Backend.Allocate((nuint)Page);
        using UserMemory bitmap = Backend.Allocate((nuint)(3 * Page)); // [A rw][B read-only][C rw]
        buffer.Span[0] = 1;
        int fd = Backend.Open("/dev/iommu");
        Assert.That(fd, Is.GreaterThanOrEqualTo(0));
        try
        {
            uint hwpt = DirtyHwptWithOnePage(fd, buffer.Address);
            scratch.Span[0] = 0b11;                    // both IO pages of the mapped page
            var mark = new iommu_test_cmd { size = Size<iommu_test_cmd>(), op = IommufdTest.IOMMU_TEST_OP_DIRTY, id = hwpt };
            mark.dirty.iova = Base;
            mark.dirty.length = Page;
            mark.dirty.page_size = Page / 2;
            mark.dirty.uptr = scratch.Address;
            Assert.That(Call(fd, IommufdTest.IOMMU_TEST_CMD, ref mark), Is.Zero);
            Assert.That(mark.dirty.out_nr_dirty, Is.EqualTo(2));

            ulong b = bitmap.Address + Page;
            Assert.That(mprotect((nint)b, (nuint)Page, ProtRead), Is.Zero);
            try
            {
                // page_size 1: 2048 bits (256 bytes) per IO page. Bitmap 128 bytes before B: IO page 0's
                // first 128 bytes land in A, the rest and all of IO page 1 fall on B.
                Assert.That(GetNoClear(fd, hwpt, b - 128), Is.Zero);
                // Bitmap 128 bytes before C: IO page 0 starts in B, so its 128 bytes in C are dropped too;
                // IO page 1 lands in C.
                Assert.That(GetNoClear(fd, hwpt, b + Page - 128), Is.Zero);
            }
            finally
            {
                Assert.That(mprotect((nint)b, (nuint)Page, ProtReadWrite), Is.Zero);
            }
            byte[] bytes = bitmap.Span.ToArray();
            Assert.Multiple(() =>
            {
                Assert.That(bytes[(int)(Page - 128)..(int)Page], Is.All.EqualTo(0xff), "A's last 128 bytes");
                Assert.That(bytes[(int)Page..(int)(2 * Page)], Is.All.EqualTo(0), "B");
                Assert.That(bytes[(int)(2 * Page)..(int)(2 * Page + 128)], Is.All.EqualTo(0), "C's first 128 bytes");
                // 6.12 reports per 2 KiB IO page, so IO page 1's 256 bytes land in C; 7.3 reports the whole 4 KiB
                // leaf as one run (record_dirty, generic_pt/iommu_pt.h:250), which starts in B and is dropped whole
                Assert.That(bytes[(int)(2 * Page + 128)..(int)(2 * Page + 384)], Is.All.EqualTo(Kernel.AtLeast(7, 3) ? 0 : 0xff), "C after them");
                Assert.That(bytes[(int)(2 * Page + 384)..], Is.All.EqualTo(0), "C's rest");
            });
        }
        finally
        {
            Backend.Close(fd);
        }
    }

    // An IOAS with a mock device, a dirty-tracking HWPT with tracking on, one page mapped at the aperture start.
    private uint DirtyHwptWithOnePage(int fd, ulong userVa)
    {
        var ioas = new iommu_ioas_alloc { size = Size<iommu_ioas_alloc>() };
        Assert.That(Call(fd, Iommufd.IOMMU_IOAS_ALLOC, ref ioas), Is.Zero);
        var md = new iommu_test_cmd { size = Size<iommu_test_cmd>(), op = IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN, id = ioas.out_ioas_id };
        Assert.That(Call(fd, IommufdTest.IOMMU_TEST_CMD, ref md), Is.Zero);
        var alloc = new iommu_hwpt_alloc
        {
            size = Size<iommu_hwpt_alloc>(), flags = (uint)Iommufd.IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
            dev_id = md.mock_domain.out_idev_id, pt_id = ioas.out_ioas_id,
        };
        Assert.That(Call(fd, Iommufd.IOMMU_HWPT_ALLOC, ref alloc), Is.Zero);
        var map = new iommu_ioas_map
        {
            size = Size<iommu_ioas_map>(), ioas_id = ioas.out_ioas_id, user_va = userVa, length = Page, iova = Base,
            flags = (uint)(Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE),
        };
        Assert.That(Call(fd, Iommufd.IOMMU_IOAS_MAP, ref map), Is.Zero);
        var track = new iommu_hwpt_set_dirty_tracking
        {
            size = Size<iommu_hwpt_set_dirty_tracking>(), flags = (uint)Iommufd.IOMMU_HWPT_DIRTY_TRACKING_ENABLE, hwpt_id = alloc.out_hwpt_id,
        };
        Assert.That(Call(fd, Iommufd.IOMMU_HWPT_SET_DIRTY_TRACKING, ref track), Is.Zero);
        return alloc.out_hwpt_id;
    }

    private int GetNoClear(int fd, uint hwpt, ulong data)
    {
        var get = new iommu_hwpt_get_dirty_bitmap
        {
            size = Size<iommu_hwpt_get_dirty_bitmap>(), hwpt_id = hwpt, flags = (uint)Iommufd.IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
            iova = Base, length = Page, page_size = 1, data = data,
        };
        return Call(fd, Iommufd.IOMMU_HWPT_GET_DIRTY_BITMAP, ref get);
    }

    private int Call<T>(int fd, uint request, ref T arg) where T : unmanaged
    {
        fixed (T* p = &arg)
            return Backend.Ioctl(fd, request, p);
    }

    private static uint Size<T>() where T : unmanaged => (uint)Unsafe.SizeOf<T>();
}

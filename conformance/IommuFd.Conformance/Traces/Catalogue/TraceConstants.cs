using IommuFd.Interop;

namespace IommuFd.Conformance.Traces.Catalogue;

/// <summary>Values the catalogues share: sizes as the selftests write them and the common flag sets.</summary>
public static class TraceConstants
{
    /// <summary>The selftests' PAGE_SIZE on x86_64 (a trace's sizes are fixed, not the host's page size).</summary>
    public const ulong Page = 4096;

    /// <summary>HUGEPAGE_SIZE: the 2 MiB pages of hugetlb buffers.</summary>
    public const ulong HugePage = 2UL << 20;

    /// <summary>MOCK_APERTURE_START, the base IOVA of tests that name one.</summary>
    public const ulong Base = 0x1000000;

    /// <summary>The largest u64 (UINT64_MAX), the selftests' "unmap everything" length.</summary>
    public const ulong U64Max = ulong.MaxValue;

    /// <summary>IOMMU_IOAS_MAP_READABLE | WRITEABLE (also IOAS_COPY's).</summary>
    public const uint Rw = Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE;

    /// <summary>FIXED_IOVA | READABLE | WRITEABLE.</summary>
    public const uint FixedRw = Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Rw;

    /// <summary>FIXED_IOVA | READABLE.</summary>
    public const uint FixedRo = Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_READABLE;

    /// <summary>VFIO_DMA_MAP_FLAG_READ | WRITE.</summary>
    public const uint DmaRw = Vfio.VFIO_DMA_MAP_FLAG_READ | Vfio.VFIO_DMA_MAP_FLAG_WRITE;

    /// <summary>iommufd_test_memory_limit's initial value, what SET_TEMP_MEMORY_LIMIT sets back.</summary>
    public const uint DefaultMemoryLimit = 65536;

    /// <summary>Deterministic bytes standing in for the selftests' rand() data.</summary>
    public static byte[] Pattern(int length, int seed) =>
        Enumerable.Range(0, length).Select(i => (byte)((i * 131 + seed * 17 + (i >> 8)) & 0xFF)).ToArray();

    /// <summary>Bytes of 0xaa: room after a struct for the kernel to write into, so what it wrote (and did not) shows.</summary>
    public static byte[] Filled(int length) => Enumerable.Repeat((byte)0xaa, length).ToArray();

    /// <summary>An array of <c>struct iommu_iova_range</c> (start, last), little-endian, for ALLOW_IOVAS.</summary>
    public static byte[] Ranges(params (ulong Start, ulong Last)[] ranges)
    {
        var bytes = new byte[ranges.Length * 16];
        for (int i = 0; i < ranges.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 16), ranges[i].Start);
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 16 + 8), ranges[i].Last);
        }
        return bytes;
    }
}

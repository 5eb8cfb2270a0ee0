namespace IommuFd.Conformance.Tests.Support;

/// <summary>Constants of the test environment (x86_64).</summary>
internal static class TestEnv
{
    public const ulong PageSize = 4096;
    public const ulong U64Max = ulong.MaxValue;
    /// <summary>Where the 6.12 selftests put fixed mappings (MOCK_APERTURE_START).</summary>
    public const ulong BaseIova = 0x1000000;
    /// <summary>The selftests' MOCK_PAGE_SIZE (PAGE_SIZE / 2).</summary>
    public const ulong MockPageSize = PageSize / 2;
    /// <summary>CONFIG_TRANSPARENT_HUGEPAGE of the kernel the suite compares against (the running
    /// kernel's sysfs inside the VM, the test kernel's config elsewhere). It caps the alignment of
    /// automatic IOVAs at the huge page size; without it, at PAGE_SIZE.</summary>
    public static bool TransparentHugePages => TestKernelEngine.Options().Platform.TransparentHugePages;

    /// <summary>The largest alignment automatic IOVA allocation uses.</summary>
    public static ulong MaxIovaAlignment => TransparentHugePages ? 2UL << 20 : PageSize;

    /// <summary>The selftests' BUFFER_SIZE (16 pages).</summary>
    public const ulong BufferSize = 16 * PageSize;
}

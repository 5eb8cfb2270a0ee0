namespace IommuFd.Conformance.Tests.Support;

/// <summary>x86_64 Linux errno values the suite expects (asm-generic/errno*.h).</summary>
internal static class Errno
{
    public const int EPERM = 1, ENOENT = 2, EIO = 5, E2BIG = 7, EBADF = 9, ENOMEM = 12, EFAULT = 14, EBUSY = 16,
        EEXIST = 17, ENODEV = 19, EINVAL = 22, ENOTTY = 25, ENOSPC = 28, EPROTO = 71, EOVERFLOW = 75, EMSGSIZE = 90,
        EOPNOTSUPP = 95, EADDRINUSE = 98, EBADE = 52, EBADFD = 77;
}

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

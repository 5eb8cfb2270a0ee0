using Table = IommuFd.Bindings.Errno;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>The errno values the suite expects, as ints: the numbers come from the one errno table,
/// <see cref="Table"/>.</summary>
internal static class Errno
{
    public const int EPERM = (int)Table.EPERM,
        ENOENT = (int)Table.ENOENT,
        EIO = (int)Table.EIO,
        E2BIG = (int)Table.E2BIG,
        EBADF = (int)Table.EBADF,
        ENOMEM = (int)Table.ENOMEM,
        EFAULT = (int)Table.EFAULT,
        EBUSY = (int)Table.EBUSY,
        EEXIST = (int)Table.EEXIST,
        ENODEV = (int)Table.ENODEV,
        EINVAL = (int)Table.EINVAL,
        ENOTTY = (int)Table.ENOTTY,
        ENOSPC = (int)Table.ENOSPC,
        EPROTO = (int)Table.EPROTO,
        EOVERFLOW = (int)Table.EOVERFLOW,
        EMSGSIZE = (int)Table.EMSGSIZE,
        EOPNOTSUPP = (int)Table.EOPNOTSUPP,
        EADDRINUSE = (int)Table.EADDRINUSE,
        EBADE = (int)Table.EBADE,
        EBADFD = (int)Table.EBADFD;
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

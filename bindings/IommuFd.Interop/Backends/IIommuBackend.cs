using IommuFd.Uapi;

namespace IommuFd.Bindings.Backends;

/// <summary>
/// Everything the bindings ask of the system: open and close device nodes, issue ioctls, read and
/// write fds, and hand out user memory whose addresses go into <c>user_va</c> fields. Two
/// implementations answer it: the real kernel through libc, and the managed reference engine.
/// The bindings never know which one they run on.
/// </summary>
/// <remarks>Every call returns the kernel's way: a non-negative result, or a negative errno.</remarks>
public interface IIommuBackend : IIoctlTarget, IDisposable
{
    /// <summary>"kernel" or "engine": how test reports name the backend.</summary>
    string Name { get; }

    /// <summary>Opens a device node such as <c>/dev/iommu</c>, <c>/dev/vfio/vfio</c> or
    /// <c>/dev/vfio/devices/vfio0</c> read-write. Returns the fd, or a negative errno.</summary>
    int Open(string path);

    /// <summary>Closes an fd this backend opened or created. Returns 0, or a negative errno.</summary>
    int Close(int fd);

    /// <summary><c>pread</c> (or <c>read</c> when <paramref name="offset"/> is negative): bytes read, or a negative errno.</summary>
    long Read(int fd, Span<byte> buffer, long offset = -1);

    /// <summary><c>pwrite</c> (or <c>write</c> when <paramref name="offset"/> is negative): bytes written, or a negative errno.</summary>
    long Write(int fd, ReadOnlySpan<byte> buffer, long offset = -1);

    /// <summary>Anonymous, page-aligned, readable and writable memory of the calling process,
    /// as <c>mmap</c> gives it. Both backends use real memory, so the same addresses mean the same
    /// thing to either.</summary>
    UserMemory Allocate(nuint length);

    /// <summary>2 MiB huge pages (a hugetlb mapping: MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB |
    /// MAP_POPULATE), <paramref name="length"/> a multiple of 2 MiB. The kernel backend maps real huge
    /// pages (it throws, saying how to reserve them, when none are free); the engine maps ordinary
    /// memory that it models as hugetlb. A backend that cannot say which it is throws.</summary>
    UserMemory AllocateHugetlb(nuint length) =>
        throw new NotSupportedException($"the {Name} backend has no hugetlb memory");
}

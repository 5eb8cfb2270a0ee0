using IommuFd.Bindings.Backends;
using IommuFd.Engine.Files;

namespace IommuFd.Engine;

/// <summary>
/// The managed reference model of the 6.12 iommufd uAPI behind <see cref="IIommuBackend"/>: every
/// call returns what the kernel would (a non-negative result or a negative errno) and writes the
/// same bytes to user memory. Safe to call from several threads. Bad arguments never throw.
/// </summary>
public sealed class EngineBackend : IIommuBackend, IKernelReleaseInfo
{
    private readonly FdTable _files;
    private readonly Memory.PinRegistry _pins = new();

    /// <summary>An engine for root on x86_64 (<see cref="EngineOptions.Default"/>).</summary>
    public EngineBackend() : this(EngineOptions.Default) { }

    /// <summary>An engine with the given platform and privileges.</summary>
    public EngineBackend(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _files = new FdTable(options.FirstFd);
    }

    /// <summary>The platform and privileges this engine models.</summary>
    public EngineOptions Options { get; }

    /// <summary>The kernel release the engine answers as (<see cref="EngineOptions.Kernel"/>).</summary>
    public string KernelRelease => Options.Kernel.ToString();

    /// <inheritdoc />
    public string Name => "engine";

    /// <inheritdoc />
    /// <remarks>/dev/iommu and /dev/vfio/vfio (iommufd's VFIO container, MM accounting by default)
    /// open; anything else is ENOENT, as a missing node would be.</remarks>
    public int Open(string path)
    {
        bool vfio;
        switch (path)
        {
            case "/dev/iommu": vfio = false; break;
            case "/dev/vfio/vfio": vfio = true; break;
            default: return -Errno.ENOENT;
        }
        int fd = _files.Reserve();
        if (fd < 0)
            return fd;
        _files.Install(fd, new IommufdFile(new IommufdContext(Options, vfio, _files, _pins)));
        return fd;
    }

    /// <inheritdoc />
    public int Close(int fd)
    {
        EngineFile? file = _files.Remove(fd);
        if (file == null)
            return -Errno.EBADF;
        file.Release();
        return 0;
    }

    /// <inheritdoc />
    public unsafe int Ioctl(int fd, uint request, void* argument)
    {
        EngineFile? file = _files.Get(fd);
        return file == null ? -Errno.EBADF : file.Ioctl(request, argument);
    }

    /// <summary>ioctl(2) issued by another process on an fd of this engine (a child sharing the fd):
    /// <paramref name="argument"/> is an address in that process, copy_{from,to}_user read and write its
    /// memory, and a MAP takes its pages from its mm (pinning them later fails with EFAULT once it has
    /// exited, whoever pins). The kernel side of the same call is the process issuing it itself.</summary>
    public int IoctlAs(EngineProcess process, int fd, uint request, ulong argument)
    {
        ArgumentNullException.ThrowIfNull(process);
        using (Memory.UserMm.Use(process.Mm))
            unsafe { return Ioctl(fd, request, (void*)argument); }
    }

    /// <inheritdoc />
    public long Read(int fd, Span<byte> buffer, long offset = -1)
    {
        EngineFile? file = _files.Get(fd);
        return file == null ? -Errno.EBADF : file.Read(buffer, offset);
    }

    /// <inheritdoc />
    public long Write(int fd, ReadOnlySpan<byte> buffer, long offset = -1)
    {
        EngineFile? file = _files.Get(fd);
        return file == null ? -Errno.EBADF : file.Write(buffer, offset);
    }

    /// <inheritdoc />
    public UserMemory Allocate(nuint length) => UserMemory.Map(length);

    /// <summary>Ordinary shared memory, 2 MiB aligned, that the engine models as hugetlb memory (2 MiB
    /// pages, physically contiguous and aligned, compound): the host needs no reserved huge pages.</summary>
    public UserMemory AllocateHugetlb(nuint length)
    {
        if (length == 0 || length % UserMemory.HugePageSize != 0)
            throw new ArgumentException($"a hugetlb mapping is whole 2 MiB pages, not {length} bytes", nameof(length));
        ulong start = 0;
        UserMemory memory = UserMemory.MapSharedAligned(length, (nuint)UserMemory.HugePageSize, () => EmulatedHugetlb.Remove(start));
        start = memory.Address;
        EmulatedHugetlb.Add(start, length);
        return memory;
    }

    /// <summary>Closes every fd still open.</summary>
    public void Dispose()
    {
        foreach (int fd in _files.OpenFds())
            _ = Close(fd);
    }

    /// <summary>For tests: the context behind an iommufd fd.</summary>
    internal IommufdContext? ContextOf(int fd) => (_files.Get(fd) as IommufdFile)?.Context;
}

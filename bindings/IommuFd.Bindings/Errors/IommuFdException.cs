namespace IommuFd.Bindings;

/// <summary>A call into iommufd or VFIO failed. Keeps the call's name and the kernel's raw errno,
/// so a caller can tell <c>EEXIST</c> from <c>EINVAL</c> without parsing the message.</summary>
public sealed class IommuFdException : Exception
{
    /// <summary>Creates the exception for <paramref name="operation"/> failing with <paramref name="errno"/>.</summary>
    /// <param name="operation">The ioctl macro or system call, e.g. <c>IOMMU_IOAS_MAP</c> or <c>pread</c>.</param>
    /// <param name="errno">The positive errno number the kernel (or engine) reported.</param>
    public IommuFdException(string operation, int errno)
        : this(operation, errno, null)
    {
    }

    /// <summary>Like <see cref="IommuFdException(string, int)"/>, with <paramref name="detail"/> (what the
    /// errno means here, e.g. which kernel lacks the call) after the errno; null for none.</summary>
    public IommuFdException(string operation, int errno, string? detail)
        : base($"{operation} failed: {ErrnoNames.Name(errno)} ({errno}){(detail is null ? "" : ": " + detail)}")
    {
        Operation = operation;
        ErrorNumber = errno;
    }

    /// <summary>The ioctl macro or system call that failed, e.g. <c>IOMMU_IOAS_MAP</c>.</summary>
    public string Operation { get; }

    /// <summary>The raw errno number, e.g. 22.</summary>
    public int ErrorNumber { get; }

    /// <summary>The errno as an enum value; a number Linux does not define is kept as its integer value.</summary>
    public Errno Errno => (Errno)ErrorNumber;

    /// <summary>The symbolic errno name, e.g. <c>EINVAL</c>.</summary>
    public string ErrnoName => ErrnoNames.Name(ErrorNumber);

    /// <summary>Returns <paramref name="result"/> when it is non-negative, else throws for <paramref name="operation"/>.</summary>
    public static int ThrowIfError(int result, string operation) =>
        result >= 0 ? result : throw new IommuFdException(operation, -result);

    /// <summary>Returns <paramref name="result"/> when it is non-negative, else throws for <paramref name="operation"/>.</summary>
    public static long ThrowIfError(long result, string operation) =>
        result >= 0 ? result : throw new IommuFdException(operation, (int)-result);
}

using IommuFd.Bindings;

namespace IommuFd.Interop;

/// <summary>The errno values code compares with ints and negates (the engine's results, the suite's
/// expectations): the numbers of <see cref="Errno"/>, the one errno table.</summary>
public static class ErrnoValues
{
    /// <summary>Linux errno numbers (asm-generic).</summary>
    public const int EPERM = (int)Errno.EPERM,
        ENOENT = (int)Errno.ENOENT,
        EIO = (int)Errno.EIO,
        E2BIG = (int)Errno.E2BIG,
        EBADF = (int)Errno.EBADF,
        ENOMEM = (int)Errno.ENOMEM,
        EFAULT = (int)Errno.EFAULT,
        EBUSY = (int)Errno.EBUSY,
        EEXIST = (int)Errno.EEXIST,
        ENODEV = (int)Errno.ENODEV,
        EINVAL = (int)Errno.EINVAL,
        EMFILE = (int)Errno.EMFILE,
        ENOTTY = (int)Errno.ENOTTY,
        ENOSPC = (int)Errno.ENOSPC,
        ESPIPE = (int)Errno.ESPIPE,
        ERANGE = (int)Errno.ERANGE,
        EDEADLK = (int)Errno.EDEADLK,
        ENOSYS = (int)Errno.ENOSYS,
        EBADE = (int)Errno.EBADE,
        EPROTO = (int)Errno.EPROTO,
        EOVERFLOW = (int)Errno.EOVERFLOW,
        EBADFD = (int)Errno.EBADFD,
        EMSGSIZE = (int)Errno.EMSGSIZE,
        EOPNOTSUPP = (int)Errno.EOPNOTSUPP,
        EADDRINUSE = (int)Errno.EADDRINUSE;
}

using Table = IommuFd.Bindings.Errno;

namespace IommuFd.Engine;

/// <summary>The errno values the engine returns (negated), as ints: the numbers come from the one errno
/// table, <see cref="Table"/>.</summary>
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
        ESPIPE = (int)Table.ESPIPE,
        EDEADLK = (int)Table.EDEADLK,
        ENOSYS = (int)Table.ENOSYS,
        EBADE = (int)Table.EBADE,
        EBADFD = (int)Table.EBADFD,
        EOVERFLOW = (int)Table.EOVERFLOW,
        EPROTO = (int)Table.EPROTO,
        EMSGSIZE = (int)Table.EMSGSIZE,
        EOPNOTSUPP = (int)Table.EOPNOTSUPP,
        EADDRINUSE = (int)Table.EADDRINUSE,
        EMFILE = (int)Table.EMFILE;
}

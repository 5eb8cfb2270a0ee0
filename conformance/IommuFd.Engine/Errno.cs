namespace IommuFd.Engine;

/// <summary>Linux errno values (asm-generic), as the engine returns them negated.</summary>
internal static class Errno
{
    public const int EPERM = 1, ENOENT = 2, EIO = 5, E2BIG = 7, EBADF = 9, ENOMEM = 12, EFAULT = 14,
        EBUSY = 16, EEXIST = 17, ENODEV = 19, EINVAL = 22, ENOTTY = 25, ENOSPC = 28, ESPIPE = 29,
        EDEADLK = 35, ENOSYS = 38, EBADE = 52, EBADFD = 77, EOVERFLOW = 75, EPROTO = 71, EMSGSIZE = 90, EOPNOTSUPP = 95, EADDRINUSE = 98, EMFILE = 24;
}

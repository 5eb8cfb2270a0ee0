namespace IommuFd.Uapi;

/// <summary>Where generated ioctl wrappers send a request: the real kernel through libc, or any
/// model of it. Returns the ioctl's non-negative result, or a negative errno (-22 for EINVAL).</summary>
public interface IIoctlTarget
{
    /// <summary>Issues <paramref name="request"/> on <paramref name="fd"/> with the argument at
    /// <paramref name="argument"/>, which stays valid for the duration of the call.</summary>
    unsafe int Ioctl(int fd, uint request, void* argument);
}

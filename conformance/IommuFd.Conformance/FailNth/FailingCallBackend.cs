using IommuFd.Bindings.Backends;

namespace IommuFd.Conformance.FailNth;

/// <summary>Wraps the engine for the replay of a fault-injected run: the ioctl the kernel failed
/// because of the injected fault is not issued at all and answers the kernel's errno, so the engine
/// carries out exactly the calls that did not fail by injection.</summary>
public sealed unsafe class FailingCallBackend(IIommuBackend inner, int failedIoctl, int errno) : ForwardingBackend(inner)
{
    private int _ioctls;

    /// <inheritdoc/>
    public override int Ioctl(int fd, uint request, void* argument) =>
        _ioctls++ == failedIoctl ? -errno : Inner.Ioctl(fd, request, argument);
}

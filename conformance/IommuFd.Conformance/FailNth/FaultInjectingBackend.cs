using IommuFd.Bindings.Backends;

namespace IommuFd.Conformance.FailNth;

/// <summary>Wraps the kernel backend so that fault injection is armed only inside ioctl calls: the
/// remaining count is written to fail-nth right before each ioctl and read back (and cleared) right
/// after, so the managed runtime's own work between calls (which also allocates kernel memory: page
/// faults, mmap, futexes) never consumes a fault point. Everything else passes through unarmed.</summary>
public sealed unsafe class FaultInjectingBackend(IIommuBackend inner, IFaultInjector injector) : ForwardingBackend(inner)
{
    private uint _remaining;

    /// <summary>Ioctls issued since <see cref="Start"/>.</summary>
    public int IoctlCount { get; private set; }

    /// <summary>The ordinal (0-based, since <see cref="Start"/>) of the ioctl during which the fault was
    /// injected, or null.</summary>
    public int? InjectedIoctl { get; private set; }

    /// <summary>Begins a run: the <paramref name="nth"/> fault point reached inside the following ioctls
    /// fails; 0 runs without injection.</summary>
    public void Start(uint nth)
    {
        _remaining = nth;
        IoctlCount = 0;
        InjectedIoctl = null;
    }

    /// <summary>Ends the run: later ioctls (the state probe) run without injection.</summary>
    public void Stop() => _remaining = 0;

    /// <inheritdoc/>
    public override int Ioctl(int fd, uint request, void* argument)
    {
        int ordinal = IoctlCount++;
        if (_remaining == 0)
            return Inner.Ioctl(fd, request, argument);
        injector.Arm(_remaining);
        int rc = Inner.Ioctl(fd, request, argument);
        _remaining = injector.Disarm();
        if (_remaining == 0)
            InjectedIoctl = ordinal;
        return rc;
    }
}

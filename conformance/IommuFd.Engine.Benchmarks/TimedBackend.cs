using System.Diagnostics;
using IommuFd.Bindings.Backends;

namespace IommuFd.Engine.Benchmarks;

/// <summary>A backend that adds up the time spent inside the backend it wraps (its ioctls), so a
/// differential run can say how its time splits between the two backends and the harness.</summary>
internal sealed unsafe class TimedBackend(IIommuBackend inner) : ForwardingBackend(inner)
{
    /// <summary>Time spent in the wrapped backend's ioctls so far.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(0, _ticks);

    private long _ticks;

    /// <inheritdoc/>
    public override int Ioctl(int fd, uint request, void* argument)
    {
        long start = Stopwatch.GetTimestamp();
        int rc = Inner.Ioctl(fd, request, argument);
        _ticks += Stopwatch.GetTimestamp() - start;
        return rc;
    }
}

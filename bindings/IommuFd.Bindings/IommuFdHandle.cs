using System.Runtime.InteropServices;
using IommuFd.Bindings.Backends;

namespace IommuFd.Bindings;

/// <summary>An fd opened or created through a backend (an iommufd, a VFIO device, a fault queue,
/// a selftest access fd). Owns the fd and closes it through the same backend exactly once.</summary>
public sealed class IommuFdHandle : SafeHandle
{
    /// <summary>Takes ownership of <paramref name="fd"/>, which <paramref name="backend"/> opened.</summary>
    public IommuFdHandle(IIommuBackend backend, int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        Backend = backend;
        SetHandle(fd);
    }

    /// <summary>The backend the fd belongs to.</summary>
    public IIommuBackend Backend { get; }

    /// <inheritdoc/>
    public override bool IsInvalid => handle < 0;

    /// <summary>The fd number. Valid while the handle is open; prefer <see cref="Borrow"/> around a call.</summary>
    public int Fd => (int)handle;

    /// <summary>Keeps the fd open for the duration of one call (closing waits for it), without allocating.</summary>
    public FdLease Borrow() => new(this);

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Backend.Close((int)handle) == 0;

    /// <summary>A reference on an open <see cref="IommuFdHandle"/>: the fd cannot be closed and reused
    /// until it is disposed.</summary>
    public ref struct FdLease
    {
        private readonly SafeHandle _owner;
        private bool _added;

        internal FdLease(IommuFdHandle owner)
        {
            _owner = owner;
            _added = false;
            owner.DangerousAddRef(ref _added);
            Fd = (int)owner.DangerousGetHandle();
        }

        /// <summary>The fd number.</summary>
        public int Fd { get; }

        /// <summary>Releases the reference.</summary>
        public void Dispose()
        {
            if (_added)
            {
                _added = false;
                _owner.DangerousRelease();
            }
        }
    }
}

using System.Runtime.InteropServices;
using Userfaultfd.Sample.Native;

namespace Userfaultfd.Sample;

/// <summary>Private anonymous memory from mmap: nothing is populated until first touched, which
/// is what a userfaultfd registered for missing pages needs.</summary>
public sealed unsafe class AnonymousMapping : IDisposable
{
    private void* _address;

    /// <summary>Maps <paramref name="length"/> bytes readable and writable.</summary>
    public AnonymousMapping(ulong length)
    {
        void* address = Libc.Mmap(null, (nuint)length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        if (address == (void*)-1) throw new UserfaultfdException("mmap", Marshal.GetLastPInvokeError());
        _address = address;
        Length = length;
    }

    /// <summary>Start of the mapping.</summary>
    public nint Address => (nint)_address;

    /// <summary>Length in bytes.</summary>
    public ulong Length { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_address == null) return;
        Libc.Munmap(_address, (nuint)Length);
        _address = null;
    }
}

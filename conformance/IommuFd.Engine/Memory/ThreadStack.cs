using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static IommuFd.Interop.Native.LibC;

namespace IommuFd.Engine.Memory;

/// <summary>
/// The live part of the calling thread's stack: from the current frame up to the stack's top is
/// mapped for as long as the call runs, so argument structs there (the common case: callers keep
/// them on the stack) can be copied directly instead of through a syscall.
/// </summary>
internal static unsafe partial class ThreadStack
{
    [ThreadStatic] private static ulong _top;     // 0 = not looked up yet
    [ThreadStatic] private static bool _unknown;  // lookup failed: always take the slow path

    /// <summary>True when [address, address+length) lies between this frame and the stack top.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool ContainsLive(ulong address, ulong length)
    {
        ulong top = _top;
        if (top == 0)
        {
            if (_unknown) return false;
            top = LookUpTop();
            if (top == 0) return false;
        }
        byte here = 0;
        ulong low = (ulong)&here;
        return address > low && address + length >= address && address + length <= top;
    }

    private static ulong LookUpTop()
    {
        byte* attr = stackalloc byte[128]; // pthread_attr_t is 56 bytes on x86_64/arm64 glibc
        try
        {
            if (pthread_getattr_np(pthread_self(), attr) != 0) { _unknown = true; return 0; }
            void* stackAddr; nuint stackSize;
            int rc = pthread_attr_getstack(attr, &stackAddr, &stackSize);
            pthread_attr_destroy(attr);
            if (rc != 0) { _unknown = true; return 0; }
            _top = (ulong)stackAddr + stackSize;
            return _top;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            _unknown = true;
            return 0;
        }
    }
}

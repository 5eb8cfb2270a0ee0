namespace Userfaultfd.Sample;

/// <summary>A userfaultfd operation failed; keeps the raw errno and the operation's name.</summary>
public sealed class UserfaultfdException(string operation, int errno)
    : Exception($"{operation} failed: errno {errno} ({System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)})")
{
    /// <summary>The failing call or ioctl, e.g. <c>UFFDIO_API</c>.</summary>
    public string Operation { get; } = operation;

    /// <summary>The positive errno value.</summary>
    public int Errno { get; } = errno;
}

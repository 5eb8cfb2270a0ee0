namespace IommuFd.Bindings.Internal;

/// <summary>The two shapes every call comes in: <c>Try...</c> returns the errno, the other throws it.</summary>
internal static class Results
{
    /// <summary>Throws <see cref="IommuFdException"/> for <paramref name="operation"/> unless
    /// <paramref name="errno"/> is <see cref="Errno.None"/>.</summary>
    public static void ThrowIfFailed(Errno errno, string operation)
    {
        if (errno != Errno.None)
            Throw(errno, operation);
    }

    // Kept out of line so the success path of the caller stays small.
    private static void Throw(Errno errno, string operation) => throw new IommuFdException(operation, (int)errno);
}

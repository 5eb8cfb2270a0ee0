namespace IommuFd.Bindings;

/// <summary>Turns raw results (a non-negative value or a negative errno) into <see cref="Errno"/>
/// values and names.</summary>
public static class ErrnoNames
{
    /// <summary>The symbolic name of an errno number, e.g. <c>EINVAL</c> for 22, or <c>errno 600</c>
    /// for a number Linux does not define.</summary>
    public static string Name(int errno) =>
        errno > 0 && Enum.IsDefined((Errno)errno) ? ((Errno)errno).ToString() : $"errno {errno}";

    /// <summary>The symbolic name of <paramref name="errno"/>.</summary>
    public static string Name(this Errno errno) => Name((int)errno);

    /// <summary><see cref="Errno.None"/> for a non-negative result, else the errno it carries.</summary>
    public static Errno FromResult(long result) => result >= 0 ? Errno.None : (Errno)(int)-result;
}

namespace IommuFd.Conformance;

/// <summary>A trace that cannot be parsed or replayed as written: bad JSON, an unknown op, command
/// or field, a value that does not fit, a reference to a step that has no such output. The message
/// names the trace, line and step when they are known.</summary>
public sealed class TraceFormatException : Exception
{
    /// <summary>Creates the exception with a message that already says where.</summary>
    public TraceFormatException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping a lower-level cause.</summary>
    public TraceFormatException(string message, Exception inner) : base(message, inner) { }
}

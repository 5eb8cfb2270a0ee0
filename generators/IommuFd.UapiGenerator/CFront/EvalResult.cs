namespace IommuFd.UapiGenerator.CFront;

internal enum EvalStatus
{
    Ok,
    /// <summary>Not an integer constant expression (a string, a type, an unknown name): skipped silently.</summary>
    NotConstant,
    /// <summary>Looks like an integer expression but is broken: reported.</summary>
    Malformed,
}

internal readonly struct EvalResult
{
    private EvalResult(EvalStatus status, CValue value, string? message, Token? at)
    {
        Status = status;
        Value = value;
        Message = message;
        At = at;
    }

    public EvalStatus Status { get; }
    public CValue Value { get; }
    public string? Message { get; }
    public Token? At { get; }

    public static EvalResult Ok(CValue value) => new(EvalStatus.Ok, value, null, null);
    public static EvalResult NotConstant(string message, Token? at) => new(EvalStatus.NotConstant, default, message, at);
    public static EvalResult Malformed(string message, Token? at) => new(EvalStatus.Malformed, default, message, at);
}

/// <summary>Thrown inside the evaluator to unwind; never escapes it.</summary>
internal sealed class EvalException : System.Exception
{
    public EvalException(EvalStatus status, string message, Token? at) : base(message)
    {
        Status = status;
        At = at;
    }

    public EvalStatus Status { get; }
    public Token? At { get; }
}

namespace IommuFd.Conformance.FailNth;

/// <summary>One run of a sequence with the Nth fault point failing.</summary>
/// <param name="Nth">N (0: the baseline run without injection).</param>
/// <param name="InjectedStep">The trace step whose ioctl took the injected fault, or null when none was injected.</param>
/// <param name="InjectedCall">That step's ioctl name.</param>
/// <param name="InjectedErrno">The errno that call returned, 0 when it succeeded despite the fault.</param>
/// <param name="Problems">What went wrong (unclean errno, divergence from the engine, state difference,
/// kernel log report); empty when the run is clean.</param>
public sealed record FailNthRun(uint Nth, int? InjectedStep, string? InjectedCall, int InjectedErrno, IReadOnlyList<string> Problems)
{
    /// <summary>True when a fault was injected in this run.</summary>
    public bool Injected => InjectedStep is not null;
}

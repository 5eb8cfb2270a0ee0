using Release = IommuFd.Engine.KernelRelease;

namespace IommuFd.HardwareRunner.Model;

/// <summary>Which of the engine's models a kernel's answers are diffed against: the engine answers as
/// the model of the newest series not newer than the kernel (docs/engine-notes.md, "Kernel versions").
/// <see cref="Mismatch"/> says so in one plain sentence when that is not the kernel's own series, so
/// KTAP, report.md and KCIDB never let a 7.9 host pass as checked against a 7.9 model.</summary>
/// <param name="KernelRelease">The kernel's release as <c>uname -r</c> prints it.</param>
/// <param name="Model">The release the engine answers as: the kernel's own major.minor.sublevel within a modelled
/// series, else the modelled release its answers are diffed against, e.g. <c>7.3.4</c>.</param>
/// <param name="Mismatch">Null when the model is of the kernel's own series; otherwise why it is not.</param>
public sealed record EngineModel(string KernelRelease, string Model, string? Mismatch)
{
    /// <summary>The model the engine uses for <paramref name="kernelRelease"/>, as the conformance
    /// harness picks it from the running kernel's release (an unreadable release gets the oldest model).</summary>
    public static EngineModel For(string kernelRelease)
    {
        Release newest = Release.Modelled[^1], oldest = Release.Modelled[0];
        if (Release.TryParse(kernelRelease) is not { } release)
            return new(kernelRelease, oldest.ToString(), $"kernel release '{kernelRelease}' is not major.minor: diffed against the engine's {oldest} model");
        Release model = release.Model;
        if (release.InSeries(model.Major, model.Minor))
            return new(kernelRelease, release.ToString(), null); // within a series the engine answers as the very sublevel
        string why = release.CompareTo(newest) > 0
            ? $"kernel {kernelRelease} is newer than the newest engine model ({newest}): its answers are diffed against the {model} model, so what changed after {newest.Major}.{newest.Minor} shows as divergences"
            : release.CompareTo(oldest) < 0
                ? $"kernel {kernelRelease} is older than the oldest engine model ({oldest}): its answers are diffed against the {model} model"
                : $"kernel {kernelRelease} has no engine model of its series: its answers are diffed against the {model} model, the newest one not newer than it";
        return new(kernelRelease, model.ToString(), why);
    }

    /// <summary>One line for reports: the mismatch sentence, or "engine model M (kernel K)".</summary>
    public string Describe() => Mismatch ?? $"engine model {Model} (kernel {KernelRelease})";
}

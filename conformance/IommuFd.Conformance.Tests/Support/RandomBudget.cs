using System.Globalization;
using IommuFd.Interop;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>How much random differential testing to do. CI: a fixed seed, 200 sequences of 30
/// steps. Nightly (IOMMUFD_NIGHTLY=1): a fresh seed and regressions saved. Overrides:
/// IOMMUFD_RANDOM_SEED, IOMMUFD_RANDOM_SEQUENCES, IOMMUFD_RANDOM_STEPS, IOMMUFD_RANDOM_SECONDS
/// (a time budget; with it the sequence count is unlimited unless also set),
/// IOMMUFD_SAVE_REGRESSIONS=1.</summary>
public sealed record RandomBudget(int Seed, int? Sequences, int Steps, TimeSpan? Time, bool SaveRegressions)
{
    /// <summary>The CI seed: fixed, so a CI failure reproduces.</summary>
    public const int CiSeed = 6_12_117;

    public static RandomBudget FromEnvironment() => FromEnvironment(EnvironmentVariables.RandomPrefix, 200, 30);

    /// <summary>The budget of the device-aware run (<see cref="IommuFd.Conformance.Random.SequenceGenerator"/> with mock devices):
    /// IOMMUFD_RANDOM_DEVICE_SEQUENCES, _STEPS, _SECONDS (the seed is IOMMUFD_RANDOM_SEED's). CI: 600 sequences
    /// of 40 steps: 42,221 steps over every op in 150 s, about 5 minutes of VM (virtio, TCG).</summary>
    public static RandomBudget ForDevices() => FromEnvironment(EnvironmentVariables.RandomDevicePrefix, 600, 40);

    private static RandomBudget FromEnvironment(string prefix, int sequencesByDefault, int stepsByDefault)
    {
        bool nightly = Flag(EnvironmentVariables.Nightly);
        int seed = Int(EnvironmentVariables.RandomSeed) ?? (nightly ? System.Random.Shared.Next() : CiSeed);
        int? seconds = Int(prefix + "SECONDS");
        int? sequences = Int(prefix + "SEQUENCES") ?? (seconds is null ? sequencesByDefault : null);
        return new RandomBudget(seed, sequences, Int(prefix + "STEPS") ?? stepsByDefault,
                                seconds is null ? null : TimeSpan.FromSeconds(seconds.Value),
                                nightly || Flag(EnvironmentVariables.SaveRegressions));
    }

    public bool Continue(int done, TimeSpan elapsed) =>
        (Sequences is null || done < Sequences) && (Time is null || elapsed < Time);

    private static bool Flag(string name) => Environment.GetEnvironmentVariable(name) == "1";

    private static int? Int(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;
}

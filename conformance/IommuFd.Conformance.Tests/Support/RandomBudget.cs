using System.Globalization;

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

    public static RandomBudget FromEnvironment()
    {
        bool nightly = Flag("IOMMUFD_NIGHTLY");
        int seed = Int("IOMMUFD_RANDOM_SEED") ?? (nightly ? System.Random.Shared.Next() : CiSeed);
        int? seconds = Int("IOMMUFD_RANDOM_SECONDS");
        int? sequences = Int("IOMMUFD_RANDOM_SEQUENCES") ?? (seconds is null ? 200 : null);
        return new RandomBudget(seed, sequences, Int("IOMMUFD_RANDOM_STEPS") ?? 30,
                                seconds is null ? null : TimeSpan.FromSeconds(seconds.Value),
                                nightly || Flag("IOMMUFD_SAVE_REGRESSIONS"));
    }

    public bool Continue(int done, TimeSpan elapsed) =>
        (Sequences is null || done < Sequences) && (Time is null || elapsed < Time);

    private static bool Flag(string name) => Environment.GetEnvironmentVariable(name) == "1";

    private static int? Int(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;
}

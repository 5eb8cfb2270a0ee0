using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Random;

/// <summary>A seeded source of random traces for <see cref="Diff.RandomDifferential"/>: equal seeds give
/// equal traces.</summary>
public interface ISequenceGenerator
{
    /// <summary>The seed the generator was created with (reported with every run).</summary>
    int Seed { get; }

    /// <summary>The next trace of about <paramref name="steps"/> steps.</summary>
    Trace Next(int steps);
}

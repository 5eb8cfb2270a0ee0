using System.Collections.Concurrent;
using System.Reflection;
using IommuFd.UapiGenerator.Testing;
using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.ProofTests.Proof;

/// <summary>The generator run once per profile over the three binding headers, its output
/// compiled and loaded, and the metadata read back. Cached for all tests of a profile.</summary>
public sealed class ProofRun
{
    private static readonly ConcurrentDictionary<string, Lazy<ProofRun>> Runs = new();

    private ProofRun(string profile)
    {
        Profile = profile;
        HeaderInput[] inputs = [.. UapiHeaders.Bindings.Select(h => h.Input())];
        Outcome = GeneratorHarness.Generate(GeneratorUnderTest.Create(), inputs, profile);
        Assembly = InMemoryAssembly.Load(Outcome.Output);
        Metadata = GeneratedMetadata.Read(Assembly, inputs.Select(i => i.Text!));
    }

    /// <summary>The target profile (UapiTargetProfile).</summary>
    public string Profile { get; }

    /// <summary>What the driver returned.</summary>
    public GenerationOutcome Outcome { get; }

    /// <summary>The generated code, compiled and loaded.</summary>
    public Assembly Assembly { get; }

    /// <summary>The C facts read back from <see cref="Assembly"/>.</summary>
    public GeneratedMetadata Metadata { get; }

    /// <summary>Everything the generator and the driver reported, as text.</summary>
    public IReadOnlyList<string> Diagnostics =>
        [.. Outcome.GeneratorDiagnostics.Concat(Outcome.DriverDiagnostics).Select(d => d.ToString()).Distinct()];

    /// <summary>The run for <paramref name="profile"/>, generated on first use.</summary>
    public static ProofRun For(string profile) => Runs.GetOrAdd(profile, p => new Lazy<ProofRun>(() => new ProofRun(p))).Value;
}

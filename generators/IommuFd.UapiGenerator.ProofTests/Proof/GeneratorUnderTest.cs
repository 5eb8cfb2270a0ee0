extern alias generator;

using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.ProofTests.Proof;

/// <summary>Creates the generator being proven. The generator assembly is referenced under an
/// alias because it compiles the shared Ioc.cs too, which would clash with IommuFd.Uapi.Runtime's.</summary>
public static class GeneratorUnderTest
{
    /// <summary>A new instance, as the compiler creates one per compilation.</summary>
    public static IIncrementalGenerator Create() => new generator::IommuFd.UapiGenerator.UapiGenerator();

    /// <summary>The ID of the generator's internal-error diagnostic (a caught crash).</summary>
    public const string InternalErrorId = "UAPI001";

    /// <summary>Roslyn's "generator threw" warnings: CS8784 in Initialize, CS8785 while generating.</summary>
    public static readonly string[] DriverCrashIds = ["CS8784", "CS8785"];
}

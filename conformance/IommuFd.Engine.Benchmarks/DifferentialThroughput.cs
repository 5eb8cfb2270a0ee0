using IommuFd.Bindings.Backends;
using IommuFd.Conformance;
using IommuFd.Conformance.Diff;
using IommuFd.Conformance.Random;

namespace IommuFd.Engine.Benchmarks;

/// <summary>
/// Random-differential steps per second, kernel and engine, and where the time goes: the kernel's
/// ioctls, the engine's ioctls, and the harness (generating, replaying, rendering and diffing). It
/// runs the random generators the conformance suite's CI budget runs, so that budget can be set
/// from what a VM run affords.
/// </summary>
internal static class DifferentialThroughput
{
    public static int Run(string generatorName, int sequences, int steps, TextWriter output)
    {
        using KernelBackend kernelBackend = new();
        using EngineBackend engineBackend = TestKernelEngine.Create();
        var kernel = new TimedBackend(kernelBackend);
        var engine = new TimedBackend(engineBackend);
        var generator = new SequenceGenerator(seed: 1, engineBackend.Options.Kernel, generatorName == "device" ? SequenceScope.MockDevices : SequenceScope.NoDevices);

        RandomDifferentialResult result = new RandomDifferential(kernel, engine) { NameA = "kernel", NameB = "engine" }
            .Run(generator, sequences, steps);
        double total = result.Elapsed.TotalSeconds;
        double inKernel = kernel.Elapsed.TotalSeconds, inEngine = engine.Elapsed.TotalSeconds;
        output.WriteLine($"{generatorName} random differential: {result.Sequences} sequences, {result.Steps} steps, " +
                         $"{result.Report.Entries.Count} divergences, {total:F1} s");
        output.WriteLine($"steps/s (each step on both backends): {result.Steps / total:F0}");
        output.WriteLine($"time share: kernel ioctls {100 * inKernel / total:F1}%, engine ioctls {100 * inEngine / total:F1}%, " +
                         $"harness {100 * (total - inKernel - inEngine) / total:F1}%");
        return result.Report.IsEmpty ? 0 : 1;
    }
}

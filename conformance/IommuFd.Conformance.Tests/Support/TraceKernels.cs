using IommuFd.Engine;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>Which kernel the traces are replayed for: the running one in the test VM (or on a host with
/// /dev/iommu), else the release the engine answers as by default.</summary>
internal static class TraceKernels
{
    public static KernelRelease Current => TestKernelEngine.Options().Kernel;

    /// <summary>Ends the test, saying why, when the trace's header leaves this kernel out (docs/traces.md).</summary>
    public static void RequireApplies(Trace trace)
    {
        if (!trace.AppliesTo(Current))
            Assert.Ignore($"{trace.Name} applies to kernels {trace.Kernels}; this kernel is {Current}");
    }
}

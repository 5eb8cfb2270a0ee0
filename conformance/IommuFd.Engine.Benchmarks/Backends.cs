using IommuFd.Bindings.Backends;

namespace IommuFd.Engine.Benchmarks;

/// <summary>Finds the bindings' kernel backend when it is part of the build.</summary>
internal static class Backends
{
    public static string LastError { get; private set; } = "";

    public static IIommuBackend? TryKernel(out string why)
    {
        Type? type = typeof(IIommuBackend).Assembly.GetType("IommuFd.Bindings.Backends.KernelBackend");
        if (type == null)
        {
            why = LastError = "IommuFd.Bindings has no KernelBackend yet";
            return null;
        }
        try
        {
            why = "";
            return (IIommuBackend?)Activator.CreateInstance(type);
        }
        catch (Exception ex)
        {
            why = LastError = ex.Message;
            return null;
        }
    }
}

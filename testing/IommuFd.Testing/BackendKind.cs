namespace IommuFd.Testing;

/// <summary>The two backends every behavioural fixture runs on.</summary>
public enum BackendKind
{
    /// <summary>The managed reference engine, on every machine.</summary>
    Engine,

    /// <summary>The real kernel through the kernel tier (category Kernel): /dev/iommu here, or the test VM.</summary>
    Kernel,
}

/// <summary>How reports and test names spell a backend.</summary>
public static class BackendKinds
{
    /// <summary>"engine" or "kernel": the name in test names, reports and divergence entries.</summary>
    public static string Name(this BackendKind kind) => kind == BackendKind.Engine ? "engine" : "kernel";
}

namespace IommuFd.UapiGenerator;

/// <summary>Tracking names of the pipeline steps (asserted by the incremental tests).</summary>
public static class StepNames
{
    /// <summary>The target profile name from <c>UapiTargetProfile</c>.</summary>
    public const string Profile = "UapiProfile";
    /// <summary>Each additional file read into a text model (headers and IoctlMap files).</summary>
    public const string Files = "UapiFiles";
    /// <summary>All files together, for includes and IoctlMap lookups.</summary>
    public const string Library = "UapiLibrary";
    /// <summary>The header files only.</summary>
    public const string Headers = "UapiHeaders";
    /// <summary>One header compiled: model plus diagnostics.</summary>
    public const string Compile = "UapiCompile";
    /// <summary>The model that is rendered to source.</summary>
    public const string Model = "UapiModel";
    /// <summary>The diagnostics that are reported.</summary>
    public const string Diagnostics = "UapiDiagnostics";
}

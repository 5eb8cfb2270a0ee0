namespace IommuFd.Conformance.Requirements;

/// <summary>What a trace needs of the machine it runs on.</summary>
public enum NeedKind
{
    /// <summary><c>mock-domain</c>: mock devices and mock domains (IOMMU_TEST_OP_MOCK_DOMAIN succeeds).</summary>
    MockDomain,
    /// <summary><c>hugetlb</c>: free 2 MiB huge pages (a MAP_HUGETLB buffer maps).</summary>
    Hugetlb,
    /// <summary><c>vfio-device</c>: a VFIO device cdev, <see cref="TraceNeed.VfioDevicePath"/>.</summary>
    VfioDevice,
}

/// <summary>One need as <c>requires.json</c> writes it: <c>mock-domain</c>, <c>hugetlb</c> or
/// <c>vfio-device</c>. The kernels a trace applies to are its own header's (docs/traces.md).</summary>
/// <param name="Kind">Which need.</param>
public sealed record TraceNeed(NeedKind Kind)
{
    /// <summary>The VFIO device node a <c>vfio-device</c> trace opens (and its probe opens).</summary>
    public const string VfioDevicePath = "/dev/vfio/devices/vfio0";

    /// <summary>Mock devices and domains.</summary>
    public static TraceNeed MockDomain { get; } = new(NeedKind.MockDomain);

    /// <summary>2 MiB huge pages.</summary>
    public static TraceNeed Hugetlb { get; } = new(NeedKind.Hugetlb);

    /// <summary>A VFIO device cdev.</summary>
    public static TraceNeed VfioDevice { get; } = new(NeedKind.VfioDevice);

    /// <summary>Parses one need.</summary>
    /// <exception cref="FormatException">Not a need this project knows.</exception>
    public static TraceNeed Parse(string text)
    {
        string trimmed = text.Trim();
        return trimmed switch
        {
            "mock-domain" => MockDomain,
            "hugetlb" => Hugetlb,
            "vfio-device" => VfioDevice,
            _ => throw new FormatException($"unknown need '{text}' (mock-domain, hugetlb or vfio-device)"),
        };
    }

    /// <summary>The need as written in <c>requires.json</c>.</summary>
    public override string ToString() => Kind switch
    {
        NeedKind.MockDomain => "mock-domain",
        NeedKind.Hugetlb => "hugetlb",
        _ => "vfio-device",
    };
}

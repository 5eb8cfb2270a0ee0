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
    /// <summary><c>kernel &gt;=A.B &lt;C.D</c>: a kernel release in a range.</summary>
    Kernel,
}

/// <summary>One need as <c>requires.json</c> writes it: <c>mock-domain</c>, <c>hugetlb</c>,
/// <c>vfio-device</c>, or <c>kernel</c> with a range (<c>kernel &gt;=7.3</c>, <c>kernel &gt;=6.12 &lt;7.3</c>).</summary>
/// <param name="Kind">Which need.</param>
/// <param name="Range">The release range of a <see cref="NeedKind.Kernel"/> need.</param>
public sealed record TraceNeed(NeedKind Kind, KernelRange? Range = null)
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
            _ when trimmed.StartsWith("kernel ", StringComparison.Ordinal) => new(NeedKind.Kernel, KernelRange.Parse(trimmed["kernel ".Length..])),
            _ => throw new FormatException($"unknown need '{text}' (mock-domain, hugetlb, vfio-device, or kernel with a range such as 'kernel >=7.3')"),
        };
    }

    /// <summary>The need as written in <c>requires.json</c>.</summary>
    public override string ToString() => Kind switch
    {
        NeedKind.MockDomain => "mock-domain",
        NeedKind.Hugetlb => "hugetlb",
        NeedKind.VfioDevice => "vfio-device",
        _ => $"kernel {Range}",
    };
}

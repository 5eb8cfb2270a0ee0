using IommuFd.Conformance.Traces.Building;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

/// <summary>A mock-domain variant of the 6.12 fixture <c>iommufd_ioas</c>. FIXTURE_SETUP: 16 pages of buffer,
/// each touched; an IOAS ("ioas"); the temporary memory limit ("memory_limit": the default 65536, or 16 bytes
/// for mock_domain_limit); 1 or 2 mock domains on the IOAS ("mock_domain0", "mock_domain1": base_iova becomes
/// MOCK_APERTURE_START, self->{stdev,hwpt,device}_id are the last one's) and, for mock_domain, a
/// PASID-capable device ("pasid_device"): MOCK_FLAGS_DEVICE_PASID comes from a later kernel (the 6.12.117
/// selftest names it, the 6.12 driver does not know it), so that step is EINVAL there and the case runs
/// without it. FIXTURE_TEARDOWN: the default limit back ("teardown_memory_limit"), the iommufd closed, and on
/// a new one MD_CHECK_REFS of the whole buffer with refs 0 ("teardown_refs": nothing left pinned).</summary>
/// <param name="Name">The name the variant's traces end with.</param>
/// <param name="Domains">Mock devices on the IOAS.</param>
/// <param name="MemoryLimit">SET_TEMP_MEMORY_LIMIT's value.</param>
/// <param name="PasidDevice">Whether a PASID-capable device is asked for.</param>
public sealed record IoasMockVariant(string Name, int Domains, uint MemoryLimit, bool PasidDevice)
{
    /// <summary>mock_domain, two_mock_domain and mock_domain_limit.</summary>
    public static IReadOnlyList<IoasMockVariant> All { get; } =
    [
        new("mock-domain", 1, DefaultMemoryLimit, true), new("two-mock-domain", 2, DefaultMemoryLimit, false),
        new("mock-domain-limit", 1, 16, false),
    ];

    /// <summary>MOCK_FLAGS_DEVICE_PASID of later kernels: the 6.12 driver does not know it.</summary>
    public const uint PasidDeviceFlag = 1 << 2;

    /// <summary>The trace <paramref name="name"/>: the set-up with buffer <paramref name="buffer"/>, the case's
    /// <paramref name="body"/>, the teardown.</summary>
    public Trace Build(string name, string buffer, Action<IoasVariantFixture> body)
    {
        var t = new TraceBuilder(name);
        TraceBuffer buf = t.Alloc(buffer, 16 * Page);
        t.Touch(buf, 16);
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.TestMemoryLimit("memory_limit", MemoryLimit);
        MockDomainHandle[] devices = Enumerable.Range(0, Domains).Select(k => t.TestMockDomain($"mock_domain{k}", ioas)).ToArray();
        if (PasidDevice)
            t.TestMockDomainFlags("pasid_device", ioas, PasidDeviceFlag);
        body(new IoasVariantFixture(t, buf, ioas, devices[^1], Domains));
        t.TestMemoryLimit("teardown_memory_limit", DefaultMemoryLimit);
        MockDomainTraces.Teardown(t, buf, 16 * Page);
        return t.Build();
    }
}

/// <summary>What the selftest's <c>self</c> holds after an <see cref="IoasMockVariant"/>'s set-up: the IOAS, its
/// buffer, and the last mock device (<c>self->stdev_id</c>, <c>hwpt_id</c>, <c>device_id</c>); base_iova is
/// MOCK_APERTURE_START.</summary>
public sealed record IoasVariantFixture(TraceBuilder T, TraceBuffer Buffer, IoasHandle Ioas, MockDomainHandle Device, int Domains);

using IommuFd.Conformance.Traces;
using IommuFd.Conformance.Traces.Building;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>The mock-domain variants of the 6.12 selftest fixture <c>iommufd_ioas</c>, as the traces
/// mockdomain/ioas-&lt;case&gt;-&lt;variant&gt; and the sweeps built here
/// set them up: buffer "a" (16 pages, each written once), an IOAS (step 17), SET_TEMP_MEMORY_LIMIT (65536,
/// or 16 for mock_domain_limit), one or two MOCK_DOMAINs on the IOAS, and for mock_domain a
/// MOCK_DOMAIN_FLAGS with the later kernels' PASID flag (EINVAL in 6.12). The teardown puts the limit
/// back, closes the iommufd and checks on a new one that no page of "a" is still pinned.</summary>
public static class IoasVariant
{
    public const string MockDomain = "mock-domain", TwoMockDomain = "two-mock-domain", MockDomainLimit = "mock-domain-limit";

    /// <summary>Every mock-domain variant, by the name its traces end with.</summary>
    public static readonly string[] All = [MockDomain, TwoMockDomain, MockDomainLimit];

    /// <summary>MOCK_APERTURE_LAST of the 6.12 selftest.</summary>
    public const ulong ApertureLast = (1UL << 31) - 1;

    /// <summary>MOCK_FLAGS_DEVICE_PASID of later kernels: the 6.12 driver does not know it.</summary>
    public const uint PasidDeviceFlag = 1 << 2;

    public const int IoasStep = 17, MemoryLimitStep = 18, FirstDeviceStep = 19;
    private const ulong DefaultMemoryLimit = 65536;

    public static int Devices(string variant) => variant == TwoMockDomain ? 2 : 1;

    public static bool HasPasidDevice(string variant) => variant == MockDomain;

    public static ulong MemoryLimit(string variant) => variant == MockDomainLimit ? 16 : DefaultMemoryLimit;

    /// <summary>The first step of the case's body.</summary>
    public static int BodyStart(string variant) => FirstDeviceStep + Devices(variant) + (HasPasidDevice(variant) ? 1 : 0);

    /// <summary>The step of the last MOCK_DOMAIN (the selftest's self->stdev_id, hwpt_id, device_id).</summary>
    public static int LastDeviceStep(string variant) => FirstDeviceStep + Devices(variant) - 1;

    /// <summary>The fixture's set-up; returns buffer "a" and the IOAS.</summary>
    public static (TraceBuffer A, IoasHandle Ioas) Setup(TraceBuilder t, string variant)
    {
        TraceBuffer a = t.Alloc("a", TestEnv.BufferSize);
        t.Touch(a, (int)(TestEnv.BufferSize / TestEnv.PageSize));
        IoasHandle ioas = t.IoasAlloc("ioas");
        t.TestMemoryLimit("memory_limit", MemoryLimit(variant));
        for (int k = 0; k < Devices(variant); k++)
            t.TestMockDomain($"mock_domain{k}", ioas);
        if (HasPasidDevice(variant))
            t.TestMockDomainFlags("pasid_device", ioas, PasidDeviceFlag);
        return (a, ioas);
    }

    /// <summary>The fixture's teardown for a trace that opened no fd besides fd 0.</summary>
    public static void Teardown(TraceBuilder t, TraceBuffer a)
    {
        t.TestMemoryLimit("memory_limit_default", DefaultMemoryLimit);
        t.Close("close", TraceFd.Default);
        TraceFd fresh = t.Open("reopen").Fd;
        t.TestCheckRefs("refs_after_close", a.At(0), TestEnv.BufferSize, 0, fresh);
    }

    /// <summary>Teardown steps at the end of every variant trace: limit, close, open, MD_CHECK_REFS.</summary>
    public const int TeardownSteps = 4;

    /// <summary>The sweeps of these variants built in code, replayed kernel-vs-engine by
    /// MockDomainDifferentialTests like the files.</summary>
    public static IEnumerable<Trace> CodeTraces() => All.Select(IoasIovaAlloc);

    /// <summary>6.12 <c>ioas_iova_alloc</c> with mock domains: every length 1..2*PAGE-1 mapped at an
    /// automatic IOVA; a length that is not a multiple of MOCK_PAGE_SIZE is EINVAL, the others map and
    /// are unmapped.</summary>
    public static Trace IoasIovaAlloc(string variant)
    {
        var t = new TraceBuilder($"code/mockdomain/ioas-iova-alloc-{variant}");
        var (a, ioas) = Setup(t, variant);
        for (ulong length = 1; length != 2 * TestEnv.PageSize; length++)
        {
            StepHandle map = t.IoasMap($"map{length}", ioas, a.At(0), length);
            if (length % TestEnv.MockPageSize == 0)
                t.IoasUnmap($"unmap{length}", ioas, map.Out("iova"), length);
        }
        Teardown(t, a);
        return t.Build();
    }
}

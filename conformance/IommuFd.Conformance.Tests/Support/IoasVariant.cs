using System.Text.Json.Nodes;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>The mock-domain variants of the 6.12 selftest fixture <c>iommufd_ioas</c>, as the traces
/// mockdomain/ioas-&lt;case&gt;-&lt;variant&gt; (conformance/tools/tracegen.py) and the sweeps built here
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

    /// <summary>The fixture's set-up; returns the IOAS step.</summary>
    public static int Setup(TraceBuilder b, string variant)
    {
        b.Alloc("a", TestEnv.BufferSize);
        for (ulong page = 0; page < TestEnv.BufferSize / TestEnv.PageSize; page++)
            b.Write("a", page * TestEnv.PageSize, [0x5a]);
        int ioas = b.IoasAlloc();
        SetMemoryLimit(b, MemoryLimit(variant));
        for (int k = 0; k < Devices(variant); k++)
            b.Ioctl("IOMMU_TEST_CMD", new JsonObject { ["op"] = 2, ["id"] = TraceBuilder.Ref(ioas, "out_ioas_id") });
        if (HasPasidDevice(variant))
            b.Ioctl("IOMMU_TEST_CMD", new JsonObject
            {
                ["op"] = 12, ["id"] = TraceBuilder.Ref(ioas, "out_ioas_id"),
                ["mock_domain_flags"] = new JsonObject { ["dev_flags"] = PasidDeviceFlag },
            });
        return ioas;
    }

    /// <summary>The fixture's teardown for a trace that opened no fd besides fd 0.</summary>
    public static void Teardown(TraceBuilder b)
    {
        SetMemoryLimit(b, DefaultMemoryLimit);
        b.Close(0);
        b.Open(); // trace fd 1
        b.Ioctl("IOMMU_TEST_CMD", new JsonObject
        {
            ["op"] = 4,
            ["check_refs"] = new JsonObject { ["uptr"] = TraceBuilder.Addr("a"), ["length"] = TestEnv.BufferSize, ["refs"] = 0 },
        }, fd: 1);
    }

    /// <summary>Teardown steps at the end of every variant trace: limit, close, open, MD_CHECK_REFS.</summary>
    public const int TeardownSteps = 4;

    private static void SetMemoryLimit(TraceBuilder b, ulong limit) =>
        b.Ioctl("IOMMU_TEST_CMD", new JsonObject { ["op"] = 9, ["memory_limit"] = new JsonObject { ["limit"] = limit } });

    /// <summary>The sweeps of these variants built in code, replayed kernel-vs-engine by
    /// MockDomainDifferentialTests like the files.</summary>
    public static IEnumerable<Trace> CodeTraces() => All.Select(IoasIovaAlloc);

    /// <summary>6.12 <c>ioas_iova_alloc</c> with mock domains: every length 1..2*PAGE-1 mapped at an
    /// automatic IOVA; a length that is not a multiple of MOCK_PAGE_SIZE is EINVAL, the others map and
    /// are unmapped.</summary>
    public static Trace IoasIovaAlloc(string variant)
    {
        var b = new TraceBuilder($"code/mockdomain/ioas-iova-alloc-{variant}");
        int ioas = Setup(b, variant);
        for (ulong length = 1; length != 2 * TestEnv.PageSize; length++)
        {
            int map = b.Map(ioas, TraceBuilder.Addr("a"), length);
            if (length % TestEnv.MockPageSize == 0)
                b.Unmap(ioas, TraceBuilder.Ref(map, "iova"), length);
        }
        Teardown(b);
        return b.Build();
    }
}

using IommuFd.Conformance.Traces.Catalogue;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>The mock-domain variants of the 6.12 selftest fixture <c>iommufd_ioas</c>
/// (<see cref="IoasMockVariant"/>: the set-up and teardown of the traces mockdomain/ioas-&lt;case&gt;-&lt;variant&gt;
/// and of the sweeps built here), by the names their traces end with.</summary>
public static class IoasVariant
{
    public const string MockDomain = "mock-domain", TwoMockDomain = "two-mock-domain", MockDomainLimit = "mock-domain-limit";

    /// <summary>Every mock-domain variant, by the name its traces end with.</summary>
    public static readonly string[] All = [MockDomain, TwoMockDomain, MockDomainLimit];

    /// <summary>MOCK_APERTURE_LAST of the 6.12 selftest.</summary>
    public const ulong ApertureLast = (1UL << 31) - 1;

    public static int Devices(string variant) => Of(variant).Domains;

    public static bool HasPasidDevice(string variant) => Of(variant).PasidDevice;

    private static IoasMockVariant Of(string variant) => IoasMockVariant.All.Single(v => v.Name == variant);

    /// <summary>The sweeps of these variants built in code, replayed kernel-vs-engine by
    /// MockDomainDifferentialTests like the files.</summary>
    public static IEnumerable<Trace> CodeTraces() => All.Select(IoasIovaAlloc);

    /// <summary>6.12 <c>ioas_iova_alloc</c> with mock domains: every length 1..2*PAGE-1 mapped at an automatic
    /// IOVA ("map_LENGTH"); a length that is not a multiple of MOCK_PAGE_SIZE is EINVAL, the others map and are
    /// unmapped ("unmap_LENGTH").</summary>
    public static Trace IoasIovaAlloc(string variant) =>
        Of(variant).Build($"code/mockdomain/ioas-iova-alloc-{variant}", "a", fx =>
        {
            for (ulong length = 1; length != 2 * TestEnv.PageSize; length++)
            {
                var map = fx.T.IoasMap($"map_{length}", fx.Ioas, fx.Buffer.At(0), length);
                if (length % TestEnv.MockPageSize == 0)
                    fx.T.IoasUnmap($"unmap_{length}", fx.Ioas, map.Out("iova"), length);
            }
        });
}

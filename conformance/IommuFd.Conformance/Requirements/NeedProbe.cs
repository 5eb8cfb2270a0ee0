using System.Collections.Concurrent;
using IommuFd.Bindings;
using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Traces;
using IommuFd.Engine;

namespace IommuFd.Conformance.Requirements;

/// <summary>Checks a need on a backend with one cheap probe, cached per backend for the process:
/// a kernel backend is keyed by its name (one running kernel per process), an engine by its options
/// (the machine it models).</summary>
public static class NeedProbe
{
    private static readonly ConcurrentDictionary<(object Backend, TraceNeed Need), string?> Cache = new();

    /// <summary>The mock-domain probe: one MOCK_DOMAIN on a fresh IOAS (closing the fd frees both).</summary>
    private static readonly Trace MockDomainProbe = Trace.Parse("probe-mock-domain",
        "{\"op\":\"ioctl\",\"cmd\":\"IOMMU_IOAS_ALLOC\",\"arg\":{}}\n" +
        "{\"op\":\"ioctl\",\"cmd\":\"IOMMU_TEST_CMD\",\"arg\":{\"op\":2,\"id\":\"$0.out_ioas_id\"}}\n");

    /// <summary>Null when <paramref name="backend"/> meets <paramref name="need"/>; otherwise what the probe found.</summary>
    public static string? Check(IIommuBackend backend, TraceNeed need)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(need);
        object key = backend is EngineBackend engine ? engine.Options : backend.Name;
        return Cache.GetOrAdd((key, need), _ => Probe(backend, need));
    }

    private static string? Probe(IIommuBackend backend, TraceNeed need) => need.Kind switch
    {
        NeedKind.MockDomain => MockDomain(backend),
        NeedKind.Hugetlb => Hugetlb(backend),
        _ => VfioDevice(backend),
    };

    private static string? MockDomain(IIommuBackend backend)
    {
        IReadOnlyList<StepResult> results;
        try
        {
            results = TraceReplayer.Replay(backend, MockDomainProbe);
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
        if (results[0].Errno != 0)
            return $"IOMMU_IOAS_ALLOC answered {ErrnoNames.Name(results[0].Errno)}";
        return results[1].Errno == 0 ? null
            : $"IOMMU_TEST_OP_MOCK_DOMAIN on a fresh IOAS answered {ErrnoNames.Name(results[1].Errno)}" +
              (results[1].Errno == (int)Errno.ENOTTY ? " (no CONFIG_IOMMUFD_TEST)" : "");
    }

    private static string? Hugetlb(IIommuBackend backend)
    {
        try
        {
            using UserMemory page = backend.AllocateHugetlb((nuint)UserMemory.HugePageSize);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"a 2 MiB MAP_HUGETLB page does not map: {e.Message}";
        }
    }

    private static string? VfioDevice(IIommuBackend backend)
    {
        int fd = backend.Open(TraceNeed.VfioDevicePath);
        if (fd < 0)
            return $"{TraceNeed.VfioDevicePath} does not open ({ErrnoNames.Name(-fd)})";
        backend.Close(fd);
        return null;
    }
}

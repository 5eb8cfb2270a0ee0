using BenchmarkDotNet.Attributes;
using IommuFd.Bindings;
using IommuFd.Bindings.Backends;
using IommuFd.Engine;
using IommuFd.Interop;

namespace IommuFd.Bindings.Benchmarks;

/// <summary>What the idiomatic layer costs over calling the generated wrapper directly: one fixed map
/// and its unmap per operation, on the engine (the same on every machine). The Ratio column is the
/// result; Allocated must stay 0 for the bindings rows.</summary>
[MemoryDiagnoser]
public class MapUnmapBenchmark
{
    private const ulong Iova = 0x100000, Length = 0x1000;

    private EngineBackend _backend = null!;
    private IommufdContext _context = null!;
    private Ioas _ioas = null!;
    private UserMemory _memory = null!;
    private int _fd;

    [GlobalSetup]
    public void Setup()
    {
        _backend = new EngineBackend();
        _context = IommufdContext.Open(_backend);
        _ioas = _context.CreateIoas();
        _memory = _backend.Allocate((nuint)Length);
        _fd = _context.Handle.Fd;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _memory.Dispose();
        _context.Dispose();
        _backend.Dispose();
    }

    [Benchmark(Baseline = true, Description = "generated wrappers")]
    public int Generated()
    {
        var map = new iommu_ioas_map
        {
            flags = (uint)(Iommufd.IOMMU_IOAS_MAP_FIXED_IOVA | Iommufd.IOMMU_IOAS_MAP_READABLE | Iommufd.IOMMU_IOAS_MAP_WRITEABLE),
            ioas_id = _ioas.Id.Value,
            user_va = _memory.Address,
            length = Length,
            iova = Iova,
        };
        int rc = IommufdIoctls.IOMMU_IOAS_MAP(_backend, _fd, ref map);
        var unmap = new iommu_ioas_unmap { ioas_id = _ioas.Id.Value, iova = Iova, length = Length };
        return rc | IommufdIoctls.IOMMU_IOAS_UNMAP(_backend, _fd, ref unmap);
    }

    [Benchmark(Description = "Ioas.MapFixed + Unmap")]
    public ulong Throwing()
    {
        _ioas.MapFixed(Iova, _memory.Address, Length);
        return _ioas.Unmap(Iova, Length);
    }

    [Benchmark(Description = "Ioas.TryMapFixed + TryUnmap")]
    public Errno Try()
    {
        Errno errno = _ioas.TryMapFixed(Iova, _memory.Address, Length);
        return errno | _ioas.TryUnmap(Iova, Length, out _);
    }
}

using IommuFd.Bindings.Tests.Fakes;

namespace IommuFd.Bindings.Tests.Layer;

/// <summary>The hot paths allocate nothing: structs on the stack, no boxing, no closures. Measured with
/// the thread's allocation counter over many calls against a backend that answers 0 and records
/// nothing, so the count is deterministic.</summary>
[TestFixture]
public class AllocationTests
{
    private const int Calls = 10_000;

    [Test]
    public void Map_unmap_and_copy_allocate_nothing_per_call()
    {
        using var backend = new ScriptedBackend { Record = false };
        using var context = IommufdContext.Open(backend);
        Ioas ioas = context.OpenIoas(new IoasId(1));
        var source = new IoasId(2);

        void Round()
        {
            ulong iova = ioas.Map(0x10000, 0x1000);
            ioas.MapFixed(0x20000, 0x10000, 0x1000, IoasMapFlags.Readable);
            _ = ioas.TryMap(0x10000, 0x1000, IoasMapFlags.ReadWrite, out _);
            _ = ioas.TryMapFixed(0x30000, 0x10000, 0x1000);
            _ = ioas.Unmap(iova, 0x1000);
            _ = ioas.TryUnmap(0x20000, 0x1000, out _);
            _ = ioas.UnmapAll();
            _ = ioas.CopyFrom(source, 0x20000, 0x1000);
            ioas.CopyFromFixed(source, 0x20000, 0x40000, 0x1000);
            ulong dst = 0;
            _ = ioas.TryCopyRaw(source, 0x20000, 0x1000, IoasMapFlags.ReadWrite, ref dst);
        }

        for (int i = 0; i < 100; i++)
            Round(); // warm up: JIT, statics
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
            Round();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero, $"{allocated} bytes over {Calls} rounds of 10 calls");
        Assert.That(backend.IoctlCount, Is.EqualTo((Calls + 100) * 10), "every call reached the backend");
    }
}

using IommuFd.Engine.Diagnostics;
using static IommuFd.Engine.Tests.Calls;

namespace IommuFd.Engine.Tests;

public class ConcurrencyTests
{
    [Test]
    public void ParallelMapUnmapCopyOnOneFdKeepsInvariants()
    {
        using var engine = new EngineBackend();
        int fd = engine.Open("/dev/iommu");
        uint shared = AllocIoas(engine, fd);
        const int threads = 4, opsPerThread = 40_000;
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        var counts = new int[threads];

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var rng = new Random(t * 7919);
            uint own = AllocIoas(engine, fd);
            for (int i = 0; i < opsPerThread; i++)
            {
                uint ioas = rng.Next(2) == 0 ? shared : own;
                ulong page = (ulong)rng.Next(0, 512);
                ulong iova = page * 0x1000;
                ulong len = (ulong)rng.Next(1, 4) * 0x1000;
                int rc;
                switch (rng.Next(4))
                {
                    case 0:
                        rc = Map(engine, fd, ioas, 0x10000000 + page * 0x1000, len, ref iova, fixedIova: true);
                        if (rc is not (0 or -EEXIST)) errors.Add($"map {rc}");
                        break;
                    case 1:
                        ulong auto = 0;
                        rc = Map(engine, fd, ioas, 0x10000000 + page * 0x1000, len, ref auto, fixedIova: false);
                        if (rc is not (0 or -ENOSPC)) errors.Add($"auto map {rc}");
                        break;
                    case 2:
                        rc = Unmap(engine, fd, ioas, iova, ref len);
                        if (rc is not (0 or -ENOENT)) errors.Add($"unmap {rc}");
                        break;
                    default:
                        ulong dst = 0;
                        rc = Copy(engine, fd, own, shared, iova, len, ref dst, fixedIova: false);
                        if (rc is not (0 or -ENOENT or -ENOSPC)) errors.Add($"copy {rc}");
                        break;
                }
                if (rc == 0) counts[t]++;
            }
        });

        Assert.That(errors, Is.Empty);
        Assert.That(counts.Sum(), Is.GreaterThan(threads * opsPerThread / 10));
        Assert.That(Invariants.Check(engine.ContextOf(fd)!), Is.Empty);
        Assert.That(engine.Close(fd), Is.EqualTo(0));
    }

    [Test]
    public void ParallelAllocDestroyKeepsIdsUnique()
    {
        using var engine = new EngineBackend();
        int fd = engine.Open("/dev/iommu");
        var live = new System.Collections.Concurrent.ConcurrentDictionary<uint, int>();
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, t =>
        {
            var mine = new List<uint>();
            var rng = new Random(t);
            for (int i = 0; i < 20_000; i++)
            {
                if (mine.Count == 0 || rng.Next(2) == 0)
                {
                    uint id = AllocIoas(engine, fd);
                    if (!live.TryAdd(id, t)) errors.Add($"id {id} handed out twice");
                    mine.Add(id);
                }
                else
                {
                    uint id = mine[^1];
                    mine.RemoveAt(mine.Count - 1);
                    live.TryRemove(id, out _);
                    int rc = Destroy(engine, fd, id);
                    if (rc != 0) errors.Add($"destroy {id}: {rc}");
                }
            }
        });
        Assert.That(errors, Is.Empty);
        Assert.That(engine.ContextOf(fd)!.Objects.Count, Is.EqualTo(live.Count));
        Assert.That(Invariants.Check(engine.ContextOf(fd)!), Is.Empty);
    }
}

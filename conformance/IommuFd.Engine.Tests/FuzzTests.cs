using IommuFd.Bindings.Backends;
using IommuFd.Engine.Diagnostics;
using IommuFd.Interop;

namespace IommuFd.Engine.Tests;

/// <summary>
/// Throws random requests, sizes, fields and pointers at the engine. Pointers are either into a
/// scratch buffer or certainly invalid (NULL, the first page, non-canonical, kernel half, the page
/// after the buffer): never other live memory of this process, which the engine would really write
/// to. So the buffer is followed by inaccessible address space that stays reserved: an unmapped
/// guard page is a hole the runtime's next small mapping can take, and the engine then answers the
/// calls aimed at it (about 94,000 reads) by writing into the runtime's memory. The 16 GiB tail also
/// makes addresses the engine derives from a buffer pointer fault: a mapped user VA plus the offset
/// of the IOVA an access reads or writes.
/// </summary>
public unsafe class FuzzTests
{
    private const int Calls = 1_000_000;
    private const int BufferSize = 64 * 1024;
    private const ulong InaccessibleTail = 16UL << 30;

    [Test]
    public void AMillionRandomCallsNeverThrowAndKeepInvariants([Values(false, true)] bool iommufdTest)
    {
        using var engine = new EngineBackend(EngineOptions.Default with { IommufdTest = iommufdTest });
        ulong buf = Guard.MapWithInaccessibleTail(BufferSize, InaccessibleTail), guard = buf + BufferSize;
        try
        {
            Fuzz(engine, buf, guard);
        }
        finally
        {
            Guard.Unmap(buf, BufferSize + InaccessibleTail);
        }
    }

    private static void Fuzz(EngineBackend engine, ulong buf, ulong guard)
    {
        var rng = new Random(20261121);
        int[] fds = [engine.Open("/dev/iommu"), engine.Open("/dev/vfio/vfio")];
        var outcomes = new Dictionary<int, int>();

        ulong[] interestingU64 = [0, 1, 0x7FF, 0x800, 0xFFF, 0x1000, 0x1001, 0x200000, 0x1000000, 0x80000000,
            ulong.MaxValue, ulong.MaxValue - 1, ulong.MaxValue / 2, 1UL << 63, 0xFFFFFFFFFFFFF000];
        ulong[] badPointers = [0, 0x10, 0xFFF, 0x0000_8000_0000_0000, 0xFFFF_8000_0000_0000, ulong.MaxValue - 7, guard, guard + 100];

        ulong RandomU64() => rng.Next(4) switch
        {
            0 => interestingU64[rng.Next(interestingU64.Length)],
            1 => (ulong)rng.Next(0, 64) * 0x1000,
            2 => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 33),
            _ => (ulong)rng.Next(0, 16),
        };

        ulong RandomPointer() => rng.Next(3) == 0
            ? badPointers[rng.Next(badPointers.Length)]
            : buf + (ulong)rng.Next(0, BufferSize - 256) / 8 * 8;

        uint RandomRequest()
        {
            uint nr = rng.Next(6) switch
            {
                0 or 1 or 2 => (uint)rng.Next(0x80, 0x90),
                3 => (uint)rng.Next(0x60, 0x80),
                4 => (uint)rng.Next(0x9E, 0xA2),
                _ => (uint)rng.Next(0, 256),
            };
            uint type = rng.Next(8) == 0 ? (uint)rng.Next(0, 256) : 0x3B;
            uint dirSize = rng.Next(8) == 0 ? (uint)rng.Next() & 0xFFFF0000 : 0;
            return dirSize | type << 8 | nr;
        }

        var span = new Span<byte>((void*)buf, BufferSize);
        for (int i = 0; i < Calls; i++)
        {
            if (i % 4096 == 0)
                rng.NextBytes(span); // fresh garbage for arrays and tails

            int fd = rng.Next(50) == 0 ? rng.Next(0, 2000) : fds[rng.Next(fds.Length)];
            uint request = RandomRequest();
            ulong arg = RandomPointer();
            if (arg >= buf && arg < guard)
            {
                // A struct with a plausible size and small IDs most of the time.
                ulong* words = (ulong*)arg;
                for (int w = 0; w < 8; w++) words[w] = RandomU64();
                uint* u32 = (uint*)arg;
                u32[0] = rng.Next(4) switch { 0 => (uint)rng.Next(0, 80), 1 => (uint)rng.Next(), 2 => 40, _ => 24 };
                if (rng.Next(2) == 0) u32[1] = (uint)rng.Next(0, 8);
                if (rng.Next(2) == 0) u32[2] = (uint)rng.Next(0, 8);
                if (rng.Next(2) == 0) u32[3] = 0;
                if (rng.Next(3) == 0) words[2] = RandomPointer();
            }
            if (request == Iommufd.IOMMU_HWPT_GET_DIRTY_BITMAP && arg >= buf && arg < guard)
            {
                // GET_DIRTY_BITMAP writes bits at data + up to 256 MiB (IOVA offsets below the mock
                // aperture's end), into whatever is mapped there, as the kernel would: keep data in the
                // kernel half, where that whole span faults (no draw from rng: the sequence stays as it was).
                ((ulong*)arg)[5] = 0xFFFF_8000_0000_0000;
            }
            if (request is 0x3B65 or 0x3B66 && rng.Next(2) == 0)
                arg = (ulong)rng.Next(0, 12); // CHECK_EXTENSION / SET_IOMMU take a value

            int rc;
            try
            {
                rc = engine.Ioctl(fd, request, (void*)arg);
                if (rng.Next(64) == 0)
                    _ = engine.Read(fd, new byte[rng.Next(0, 100)], rng.Next(2) == 0 ? -1 : 0);
            }
            catch (Exception e)
            {
                Assert.Fail($"call {i}: ioctl(fd {fd}, 0x{request:X}, 0x{arg:X}) threw {e}");
                return;
            }
            Assert.That(rc, Is.LessThanOrEqualTo(1), $"call {i}: 0x{request:X}");
            outcomes[rc] = outcomes.GetValueOrDefault(rc) + 1;
        }

        foreach (int fd in fds)
            Assert.That(Invariants.Check(engine.ContextOf(fd)!), Is.Empty);
        TestContext.Out.WriteLine(string.Join(", ", outcomes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}")));
        // The fuzz must reach the handlers, not only the dispatch errors.
        Assert.That(outcomes.GetValueOrDefault(0), Is.GreaterThan(1000));
    }
}

using System.Text.Json.Nodes;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>Traces built in code because they are sweeps (thousands of steps) or tables: the suite
/// asserts on them and the differential test replays them on both backends like the files.</summary>
public static class SuiteTraces
{
    private const ulong Page = TestEnv.PageSize;

    /// <summary>Every trace built here, by name.</summary>
    public static IEnumerable<Trace> All()
    {
        yield return IoasIovaAlloc();
        foreach (ExtensibilityCase c in ExtensibilityCase.All)
            yield return Extensibility(c);
        yield return IovaAllocationSweep();
    }

    /// <summary>6.12 <c>ioas_iova_alloc</c> without a domain: map and unmap every length 1..2*PAGE-1.</summary>
    public static Trace IoasIovaAlloc()
    {
        var b = new TraceBuilder("code/ioas-iova-alloc");
        b.Alloc("a", TestEnv.BufferSize);
        int ioas = b.IoasAlloc();
        for (ulong length = 1; length != 2 * Page; length++)
        {
            int map = b.Map(ioas, TraceBuilder.Addr("a"), length);
            b.Unmap(ioas, TraceBuilder.Ref(map, "iova"), length);
        }
        return b.Build();
    }

    /// <summary>The extensibility contract for one ioctl: size min-1 (EINVAL), size 0, the minimum,
    /// sizeof+8 with a zero tail (as exact), sizeof+1 with a non-zero tail (E2BIG), a page of zero tail.</summary>
    public static Trace Extensibility(ExtensibilityCase c)
    {
        var b = new TraceBuilder($"code/extensibility-{c.Command}");
        b.Alloc("a", 16 * Page);
        int ioas = b.IoasAlloc();
        JsonObject Arg() => c.Arg(ioas);
        JsonObject Sized(uint size) { var arg = Arg(); arg[c.SizeField] = size; return arg; }
        b.Ioctl(c.Command, Sized((uint)c.MinSize - 1));          // 2: below the minimum
        b.Ioctl(c.Command, Sized(0));                              // 3: size 0
        b.Ioctl(c.Command, Arg());                                 // 4: exact
        b.Ioctl(c.Command, Arg(), tail: new byte[8]);              // 5: zero tail
        b.Ioctl(c.Command, Arg(), tail: [0xFF]);                   // 6: non-zero tail
        b.Ioctl(c.Command, Arg(), tail: [0, 0, 0, 0, 0, 0, 0, 1]); // 7: non-zero last byte
        b.Ioctl(c.Command, Arg(), tail: new byte[4096]);           // 8: a page of zero tail
        if (c.MinSize < c.StructSize)
            b.Ioctl(c.Command, Sized((uint)c.MinSize));            // 9: the minimum (older ABI)
        return b.Build();
    }

    /// <summary>Automatic IOVAs on an empty IOAS for many user-address alignments and lengths,
    /// each mapped alone (map, then unmap).</summary>
    public static Trace IovaAllocationSweep()
    {
        var b = new TraceBuilder("code/iova-allocation-sweep");
        b.Alloc("a", IovaAllocation.BufferLength);
        int ioas = b.IoasAlloc();
        foreach ((ulong offset, ulong length) in IovaAllocation.Cases)
        {
            int map = b.Map(ioas, TraceBuilder.Addr("a", offset), length);
            b.Unmap(ioas, TraceBuilder.Ref(map, "iova"), length);
        }
        return b.Build();
    }
}

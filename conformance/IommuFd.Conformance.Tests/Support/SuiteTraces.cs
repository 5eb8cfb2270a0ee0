using IommuFd.Conformance.Traces.Building;

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

    /// <summary>6.12 <c>ioas_iova_alloc</c> without a domain: map and unmap every length 1..2*PAGE-1
    /// (steps <c>map{length}</c>, <c>unmap{length}</c>).</summary>
    public static Trace IoasIovaAlloc()
    {
        var t = new TraceBuilder("code/ioas-iova-alloc");
        TraceBuffer a = t.Alloc("a", TestEnv.BufferSize);
        IoasHandle ioas = t.IoasAlloc("ioas");
        for (ulong length = 1; length != 2 * Page; length++)
        {
            StepHandle map = t.IoasMap($"map{length}", ioas, a.At(0), length);
            t.IoasUnmap($"unmap{length}", ioas, map.Out("iova"), length);
        }
        return t.Build();
    }

    /// <summary>The extensibility contract for one ioctl: size min-1 (EINVAL), size 0, the exact size,
    /// sizeof+8 with a zero tail (as exact), sizeof+1 with a non-zero tail (E2BIG), a non-zero last byte,
    /// a page of zero tail, and the minimum (an older ABI).</summary>
    public static Trace Extensibility(ExtensibilityCase c)
    {
        var t = new TraceBuilder($"code/extensibility-{c.Command}");
        TraceBuffer a = t.Alloc("a", 16 * Page);
        IoasHandle ioas = t.IoasAlloc("ioas");
        Args Sized(uint size) => c.Arg(ioas, a).With(c.SizeField, size);
        t.Ioctl("below_minimum", c.Command, Sized((uint)c.MinSize - 1));
        t.Ioctl("size_0", c.Command, Sized(0));
        t.Ioctl("exact", c.Command, c.Arg(ioas, a));
        t.Ioctl("zero_tail", c.Command, c.Arg(ioas, a), tail: new byte[8]);
        t.Ioctl("nonzero_tail", c.Command, c.Arg(ioas, a), tail: [0xFF]);
        t.Ioctl("nonzero_last_byte", c.Command, c.Arg(ioas, a), tail: [0, 0, 0, 0, 0, 0, 0, 1]);
        t.Ioctl("page_of_zero_tail", c.Command, c.Arg(ioas, a), tail: new byte[4096]);
        if (c.MinSize < c.StructSize)
            t.Ioctl("minimum", c.Command, Sized((uint)c.MinSize));
        return t.Build();
    }

    /// <summary>Automatic IOVAs on an empty IOAS for many user-address alignments and lengths, each mapped
    /// alone (case k: <c>map{k}</c>, then <c>unmap{k}</c>).</summary>
    public static Trace IovaAllocationSweep()
    {
        var t = new TraceBuilder("code/iova-allocation-sweep");
        TraceBuffer a = t.Alloc("a", IovaAllocation.BufferLength);
        IoasHandle ioas = t.IoasAlloc("ioas");
        int k = 0;
        foreach ((ulong offset, ulong length) in IovaAllocation.Cases)
        {
            StepHandle map = t.IoasMap($"map{k}", ioas, a.At(offset), length);
            t.IoasUnmap($"unmap{k++}", ioas, map.Out("iova"), length);
        }
        return t.Build();
    }
}

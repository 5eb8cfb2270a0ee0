namespace IommuFd.Conformance.Traces.Building;

/// <summary>A step added by <see cref="TraceBuilder"/>: its label, its index, and its outputs as values
/// for later steps.</summary>
public class StepHandle(string? label, int index)
{
    /// <summary>The step's label (null for an unlabelled set-up step).</summary>
    public string? Label { get; } = label;

    /// <summary>The step's index in the trace (its line, less the header).</summary>
    public int Index { get; } = index;

    /// <summary>A field of this step's result after the call (<c>"$N.field"</c>; dotted paths and <c>[i]</c>).</summary>
    public TraceValue Out(string field) => TraceValue.Reference($"${Index}.{field}");

    /// <summary>This step's return value (<c>"$N.rc"</c>).</summary>
    public TraceValue Rc => Out("rc");
}

/// <summary>An IOMMU_IOAS_ALLOC step; used as a value it is the new IOAS's ID.</summary>
public sealed class IoasHandle(string label, int index) : StepHandle(label, index)
{
    /// <summary><c>out_ioas_id</c>.</summary>
    public TraceValue Id => Out("out_ioas_id");

    /// <summary>The IOAS's ID.</summary>
    public static implicit operator TraceValue(IoasHandle ioas) => ioas.Id;
}

/// <summary>An IOMMU_HWPT_ALLOC step; used as a value it is the new HWPT's ID.</summary>
public sealed class HwptHandle(string label, int index) : StepHandle(label, index)
{
    /// <summary><c>out_hwpt_id</c>.</summary>
    public TraceValue Id => Out("out_hwpt_id");

    /// <summary>The HWPT's ID.</summary>
    public static implicit operator TraceValue(HwptHandle hwpt) => hwpt.Id;
}

/// <summary>An IOMMU_TEST_OP_MOCK_DOMAIN(_FLAGS) step: the mock device's three IDs.</summary>
public sealed class MockDomainHandle(string label, int index) : StepHandle(label, index)
{
    /// <summary><c>mock_domain.out_stdev_id</c>: the selftest device object.</summary>
    public TraceValue StdevId => Out("mock_domain.out_stdev_id");

    /// <summary><c>mock_domain.out_hwpt_id</c>: the HWPT the device was attached to.</summary>
    public TraceValue HwptId => Out("mock_domain.out_hwpt_id");

    /// <summary><c>mock_domain.out_idev_id</c>: the iommufd device.</summary>
    public TraceValue IdevId => Out("mock_domain.out_idev_id");
}

/// <summary>A step that creates a trace fd (open, CREATE_ACCESS, FAULT_QUEUE_ALLOC): the fd takes the next
/// index whether or not the call succeeds.</summary>
public sealed class FdHandle(string label, int index, TraceFd fd) : StepHandle(label, index)
{
    /// <summary>The trace fd the step created.</summary>
    public TraceFd Fd { get; } = fd;

    /// <summary><c>out_fault_id</c> of a FAULT_QUEUE_ALLOC step.</summary>
    public TraceValue FaultId => Out("out_fault_id");

}

/// <summary>An IOMMU_TEST_OP_ACCESS_PAGES step; <see cref="PagesId"/> names the pin.</summary>
public sealed class AccessPagesHandle(string label, int index) : StepHandle(label, index)
{
    /// <summary><c>access_pages.out_access_pages_id</c>.</summary>
    public TraceValue PagesId => Out("access_pages.out_access_pages_id");
}

/// <summary>A trace fd: 0 is <c>/dev/iommu</c>, opened before step 0; open steps and fd-creating ioctls
/// take the next index.</summary>
public readonly record struct TraceFd(int Index)
{
    /// <summary>The implicit <c>/dev/iommu</c> fd.</summary>
    public static TraceFd Default => new(0);

    /// <summary>The fd's real number where a field value goes (<c>"%K"</c>).</summary>
    public TraceValue Number => TraceValue.Reference($"%{Index}");
}

/// <summary>A memfd buffer: the shared mapping of the file, and the file's trace fd.</summary>
public sealed record MemfdBuffer(TraceBuffer Buffer, TraceFd Fd);

/// <summary>A buffer of user memory made by an alloc step.</summary>
public sealed class TraceBuffer(string name, StepHandle step)
{
    /// <summary>The buffer's name (<c>"buf"</c> in its steps).</summary>
    public string Name { get; } = name;

    /// <summary>The alloc step.</summary>
    public StepHandle Step { get; } = step;

    /// <summary>The address of byte <paramref name="offset"/> of the buffer (<c>"@a+OFF"</c>).</summary>
    public TraceValue At(ulong offset) => TraceValue.Reference($"@{Name}+{offset}");

    /// <summary>The same address with the offset written in hex (<c>"@a+0x4000"</c>), where a trace writes it so.</summary>
    public TraceValue AtHex(ulong offset) => TraceValue.Reference($"@{Name}+0x{offset:x}");
}

using IommuFd.Conformance.Traces.Building;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>One iommufd ioctl under the struct-extensibility contract (spec §1.2, §1.4): its size
/// field, minimum size (offsetofend of the last ABI-v1 member), sizeof, an argument that is valid
/// enough to reach the ioctl's own checks, and what that argument gives at exact size.</summary>
/// <param name="Command">C macro name.</param>
/// <param name="MinSize">The dispatcher's min_size.</param>
/// <param name="StructSize">sizeof the struct.</param>
/// <param name="ExactErrno">Errno at exact size, 0 for success.</param>
/// <param name="Deterministic">Whether repeating the call gives the same output (false when each call creates something).</param>
/// <param name="Build">The argument, given an IOAS and a buffer of 16 pages.</param>
public sealed record ExtensibilityCase(string Command, int MinSize, int StructSize, int ExactErrno, bool Deterministic,
                                       Func<IoasHandle, TraceBuffer, Args> Build)
{
    public string SizeField => "size";

    public Args Arg(IoasHandle ioas, TraceBuffer buffer) => Build(ioas, buffer);

    public override string ToString() => Command;

    /// <summary>Every ioctl of the iommufd dispatcher (6.12), IOMMU_TEST_CMD included.</summary>
    public static IReadOnlyList<ExtensibilityCase> All { get; } =
    [
        new("IOMMU_DESTROY", 8, 8, Errno.ENOENT, true, (_, _) => new() { ["id"] = 0 }),
        new("IOMMU_IOAS_ALLOC", 12, 12, 0, false, (_, _) => new()),
        new("IOMMU_IOAS_ALLOW_IOVAS", 24, 24, 0, true, (ioas, _) => new() { ["ioas_id"] = ioas }),
        new("IOMMU_IOAS_COPY", 40, 40, Errno.EINVAL, true, (_, _) => new()),
        new("IOMMU_IOAS_IOVA_RANGES", 32, 32, Errno.EMSGSIZE, true, (ioas, _) => new() { ["ioas_id"] = ioas }),
        new("IOMMU_IOAS_MAP", 40, 40, 0, false, (ioas, a) => new()
        {
            ["flags"] = 6, ["ioas_id"] = ioas, ["user_va"] = a.At(0), ["length"] = TestEnv.PageSize,
        }),
        new("IOMMU_IOAS_UNMAP", 24, 24, 0, true, (ioas, _) => new() { ["ioas_id"] = ioas, ["length"] = TestEnv.U64Max }),
        new("IOMMU_OPTION", 24, 24, 0, true, (ioas, _) => new() { ["option_id"] = 1, ["op"] = 1, ["object_id"] = ioas }),
        new("IOMMU_VFIO_IOAS", 12, 12, Errno.ENODEV, true, (_, _) => new()),
        new("IOMMU_HWPT_ALLOC", 24, 48, Errno.ENOENT, true, (_, _) => new()),
        new("IOMMU_GET_HW_INFO", 32, 40, Errno.ENOENT, true, (_, _) => new()),
        new("IOMMU_HWPT_SET_DIRTY_TRACKING", 16, 16, Errno.ENOENT, true, (_, _) => new()),
        new("IOMMU_HWPT_GET_DIRTY_BITMAP", 48, 48, Errno.ENOENT, true, (_, _) => new()),
        new("IOMMU_HWPT_INVALIDATE", 32, 32, Errno.ENOENT, true, (_, _) => new()),
        new("IOMMU_FAULT_QUEUE_ALLOC", 16, 16, Errno.EOPNOTSUPP, true, (_, _) => new() { ["flags"] = 1 }),
        // CONFIG_IOMMUFD_TEST: ADD_RESERVED of one page on object 0 (length 0 would be EINVAL first).
        new("IOMMU_TEST_CMD", 68, 72, Errno.ENOENT, true, (_, _) => new() { ["op"] = 1, ["add_reserved"] = new Args { ["length"] = TestEnv.PageSize } }),
    ];
}

using System.Globalization;
using System.Text;
using IommuFd.Bindings;
using IommuFd.Bindings.Backends;
using IommuFd.Interop;

namespace IommuFd.Conformance.FailNth;

/// <summary>What a session's iommufd state looks like through the uAPI, as text lines that two
/// backends must agree on. Per open fd of the trace:
/// <list type="bullet">
/// <item>object IDs 1..<c>maxObjectId</c>: IOMMU_IOAS_IOVA_RANGES answers ENOENT for a free ID (or a
/// non-IOAS object) and the usable ranges and alignment of an IOAS;</item>
/// <item>IOMMU_VFIO_IOAS GET: the VFIO compat IOAS;</item>
/// <item>a scratch IOAS is allocated (its ID shows the next free ID), then each IOAS's window is
/// scanned: IOMMU_IOAS_COPY of one granule into the scratch IOAS succeeds exactly where the
/// granule is mapped (ENOENT where not), giving the mapped IOVA ranges;</item>
/// <item>IOMMU_IOAS_UNMAP of everything (iova 0, length U64_MAX) of each IOAS: the bytes mapped in
/// total, also outside the window.</item>
/// </list>
/// The probe changes the session (it is run last, without fault injection).</summary>
public static unsafe class StateProbe
{
    private const uint VfioIoasGet = 0; // IOMMU_VFIO_IOAS_GET
    private const int MaxRanges = 16;

    /// <summary>Probes every open fd of a replay (index = the trace's fd number; negative = not open).</summary>
    public static IReadOnlyList<string> Capture(IIommuBackend backend, IReadOnlyList<int> fds, ProbeWindow window, int maxObjectId)
    {
        var lines = new List<string>();
        for (int index = 0; index < fds.Count; index++)
        {
            if (fds[index] >= 0)
                CaptureFd(backend, fds[index], $"fd{index}", window, maxObjectId, lines);
        }
        return lines;
    }

    private static void CaptureFd(IIommuBackend backend, int fd, string name, ProbeWindow window, int maxObjectId, List<string> lines)
    {
        var ioases = new List<uint>();
        for (uint id = 1; id <= (uint)maxObjectId; id++)
        {
            string? ranges = IovaRanges(backend, fd, id, out bool isIoas);
            lines.Add($"{name} id {id}: {ranges}");
            if (isIoas)
                ioases.Add(id);
        }

        var vfio = new iommu_vfio_ioas { size = (uint)sizeof(iommu_vfio_ioas), op = (ushort)VfioIoasGet };
        int rc = backend.Ioctl(fd, Iommufd.IOMMU_VFIO_IOAS, &vfio);
        lines.Add($"{name} vfio compat ioas: {(rc == 0 ? $"id {vfio.ioas_id}" : Name(rc))}");

        var alloc = new iommu_ioas_alloc { size = (uint)sizeof(iommu_ioas_alloc) };
        rc = backend.Ioctl(fd, Iommufd.IOMMU_IOAS_ALLOC, &alloc);
        lines.Add($"{name} scratch ioas: {(rc == 0 ? $"id {alloc.out_ioas_id}" : Name(rc))}");
        if (rc != 0)
            return;

        foreach (uint id in ioases)
            lines.Add($"{name} id {id} mapped: {MappedRanges(backend, fd, id, alloc.out_ioas_id, window)}");
        foreach (uint id in ioases)
        {
            var unmap = new iommu_ioas_unmap { size = (uint)sizeof(iommu_ioas_unmap), ioas_id = id, iova = 0, length = ulong.MaxValue };
            rc = backend.Ioctl(fd, Iommufd.IOMMU_IOAS_UNMAP, &unmap);
            lines.Add($"{name} id {id} unmap all: {(rc == 0 ? Hex(unmap.length) + " bytes" : Name(rc))}");
        }
    }

    private static string IovaRanges(IIommuBackend backend, int fd, uint id, out bool isIoas)
    {
        var ranges = stackalloc iommu_iova_range[MaxRanges];
        var cmd = new iommu_ioas_iova_ranges
        {
            size = (uint)sizeof(iommu_ioas_iova_ranges),
            ioas_id = id,
            num_iovas = MaxRanges,
            allowed_iovas = (ulong)ranges,
        };
        int rc = backend.Ioctl(fd, Iommufd.IOMMU_IOAS_IOVA_RANGES, &cmd);
        isIoas = rc == 0 || rc == -(int)Errno.EMSGSIZE;
        if (rc != 0)
            return rc == -(int)Errno.EMSGSIZE ? $"ioas with {cmd.num_iovas} ranges (more than probed)" : Name(rc);
        var text = new StringBuilder($"ioas, alignment {Hex(cmd.out_iova_alignment)}, ranges");
        for (int i = 0; i < cmd.num_iovas; i++)
            text.Append(CultureInfo.InvariantCulture, $" {Hex(ranges[i].start)}-{Hex(ranges[i].last)}");
        return text.ToString();
    }

    // One COPY per granule; consecutive mapped granules print as one range.
    private static string MappedRanges(IIommuBackend backend, int fd, uint id, uint scratch, ProbeWindow window)
    {
        var runs = new List<string>();
        ulong? runStart = null;
        var oddAnswers = new List<string>();
        for (ulong iova = window.Start; iova < window.Start + window.Length; iova += window.Granule)
        {
            var copy = new iommu_ioas_copy
            {
                size = (uint)sizeof(iommu_ioas_copy),
                flags = (uint)Iommufd.IOMMU_IOAS_MAP_READABLE,
                dst_ioas_id = scratch,
                src_ioas_id = id,
                length = window.Granule,
                src_iova = iova,
            };
            int rc = backend.Ioctl(fd, Iommufd.IOMMU_IOAS_COPY, &copy);
            bool mapped = rc == 0;
            if (rc != 0 && rc != -(int)Errno.ENOENT)
                oddAnswers.Add($"{Hex(iova)}: {Name(rc)}");
            if (mapped && runStart is null)
                runStart = iova;
            if (!mapped && runStart is { } start)
            {
                runs.Add($"{Hex(start)}-{Hex(iova - 1)}");
                runStart = null;
            }
        }
        if (runStart is { } open)
            runs.Add($"{Hex(open)}-{Hex(window.Start + window.Length - 1)}");
        string text = runs.Count == 0 ? "nothing" : string.Join(' ', runs);
        return oddAnswers.Count == 0 ? text : $"{text}; copy failed with {string.Join(", ", oddAnswers)}";
    }

    private static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static string Name(int rc) => Enum.IsDefined((Errno)(-rc)) ? ((Errno)(-rc)).ToString() : $"errno {-rc}";
}

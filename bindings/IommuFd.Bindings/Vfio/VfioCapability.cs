using System.Runtime.InteropServices;
using IommuFd.Interop;

namespace IommuFd.Bindings;

/// <summary>One capability of a VFIO info chain (<c>struct vfio_info_cap_header</c> and what follows it).</summary>
/// <param name="Id">The capability id, e.g. VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE or VFIO_REGION_INFO_CAP_TYPE.</param>
/// <param name="Version">The capability's version.</param>
/// <param name="Offset">Where the header sits, from the start of the info struct.</param>
/// <param name="Data">The capability from its header to the end of the info buffer (its own length
/// depends on its id).</param>
public sealed record VfioCapability(ushort Id, ushort Version, uint Offset, ReadOnlyMemory<byte> Data)
{
    /// <summary>Reads a <typeparamref name="T"/> (a generated capability struct, or an element of its
    /// trailing array) at <paramref name="offset"/> bytes from the capability header.</summary>
    /// <exception cref="InvalidDataException">The capability is shorter than that.</exception>
    public unsafe T Read<T>(int offset = 0) where T : unmanaged
    {
        if (offset < 0 || (long)offset + sizeof(T) > Data.Length)
            throw new InvalidDataException(
                $"VFIO capability {Id} at offset {Offset} is truncated: needs {(long)offset + sizeof(T)} bytes, has {Data.Length}");
        return MemoryMarshal.Read<T>(Data.Span[offset..]);
    }
}

/// <summary>Walks a VFIO capability chain: <c>cap_offset</c> names the first header, each header's
/// <c>next</c> the following one, 0 ends the chain.</summary>
public static class VfioCapabilityChain
{
    /// <summary>Parses the chain of <paramref name="info"/> starting at <paramref name="firstOffset"/>
    /// (0: no capabilities). Throws <see cref="InvalidDataException"/> for a header outside the buffer or
    /// a chain that does not move forward (which would loop).</summary>
    public static unsafe IReadOnlyList<VfioCapability> Parse(ReadOnlyMemory<byte> info, uint firstOffset)
    {
        var caps = new List<VfioCapability>();
        uint offset = firstOffset;
        uint previous = 0;
        while (offset != 0)
        {
            if (offset <= previous)
                throw new InvalidDataException($"VFIO capability chain goes backwards: {previous} -> {offset}");
            if ((ulong)offset + (ulong)sizeof(vfio_info_cap_header) > (ulong)info.Length)
                throw new InvalidDataException($"VFIO capability header at offset {offset} lies outside the {info.Length}-byte info buffer");
            vfio_info_cap_header header = MemoryMarshal.Read<vfio_info_cap_header>(info.Span[(int)offset..]);
            caps.Add(new VfioCapability(header.id, header.version, offset, info[(int)offset..]));
            previous = offset;
            offset = header.next;
        }
        return caps;
    }
}

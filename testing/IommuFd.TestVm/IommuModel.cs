namespace IommuFd.TestVm;

/// <summary>The IOMMU QEMU emulates in front of the guest's PCI devices.</summary>
public enum IommuModel
{
    /// <summary>No IOMMU: VFIO cannot assign devices, iommufd still works with mock domains.</summary>
    None,

    /// <summary>Intel VT-d (<c>intel-iommu</c>, interrupt remapping and caching mode on).</summary>
    Intel,

    /// <summary>AMD-Vi (<c>amd-iommu</c>).</summary>
    Amd,

    /// <summary>virtio-iommu (<c>virtio-iommu-pci</c>).</summary>
    Virtio,

    /// <summary>An Arm SMMUv3 on the arm64 virt machine with GICv3 (<c>virt,iommu=smmuv3</c>): the one
    /// model of the arm64 guest, named <c>arm64-smmuv3</c>.</summary>
    Smmuv3,
}

/// <summary>Parsing and naming of <see cref="IommuModel"/> as the command line and env vars spell it.</summary>
public static class IommuModels
{
    /// <summary>The lower-case name: none, intel, amd, virtio, arm64-smmuv3.</summary>
    public static string Name(this IommuModel model) => model == IommuModel.Smmuv3 ? "arm64-smmuv3" : model.ToString().ToLowerInvariant();

    /// <summary>Parses none, intel, amd, virtio or arm64-smmuv3 (case-insensitive).</summary>
    /// <exception cref="ArgumentException">For any other text.</exception>
    public static IommuModel Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "none" => IommuModel.None,
        "intel" => IommuModel.Intel,
        "amd" => IommuModel.Amd,
        "virtio" => IommuModel.Virtio,
        "arm64-smmuv3" => IommuModel.Smmuv3,
        _ => throw new ArgumentException($"unknown IOMMU model '{text}' (expected none, intel, amd, virtio or arm64-smmuv3)", nameof(text)),
    };
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IommuFd.Conformance.Replay;
using IommuFd.Interop;
using IommuFd.Uapi;

namespace IommuFd.Conformance.Traces;

/// <summary>The ioctl steps that create an fd. Such a step always takes the next trace fd index
/// (-1 there when the call fails), decided from the step alone, so fd indexes never depend on what a
/// backend answered: IOMMU_FAULT_QUEUE_ALLOC (out_fault_fd), IOMMU_VEVENTQ_ALLOC (out_veventq_fd, 7.3)
/// and IOMMU_TEST_CMD CREATE_ACCESS (create_access.out_access_fd).</summary>
public static class FdCreatingIoctls
{
    /// <summary>The output field (dotted path) that holds the new fd, or null when the step creates none.</summary>
    public static string? CreatedFdField(IoctlStep step)
    {
        if (step.Value is not null)
            return null; // a raw pointer argument: nothing to read the fd from

        if (step.Command == nameof(Iommufd.IOMMU_FAULT_QUEUE_ALLOC))
            return "out_fault_fd";
        if (step.Command == nameof(Interop.Stable.Iommufd.IOMMU_VEVENTQ_ALLOC))
            return "out_veventq_fd";
        if (step.Command == nameof(IommufdTest.IOMMU_TEST_CMD) && Op(step.Arg) == (ulong)IommufdTest.IOMMU_TEST_OP_CREATE_ACCESS)
            return "create_access.out_access_fd";
        return null;
    }

    /// <summary>The trace fd index a value like <c>"%K"</c> names, or null.</summary>
    public static int? FdReference(string text) =>
        text.Length > 1 && text[0] == '%' && int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int fd) ? fd : null;

    private static ulong? Op(JsonObject? arg)
    {
        if (arg?["op"] is not JsonValue op)
            return null;
        if (op.GetValueKind() == JsonValueKind.Number && ulong.TryParse(op.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong number))
            return number;
        return op.GetValueKind() == JsonValueKind.String && Numbers.TryParseUnsigned(op.GetValue<string>(), out ulong parsed) ? parsed : null;
    }
}

namespace IommuFd.Engine.Objects;

/// <summary>iommufd_fault: a fault queue object. Without devices no fault is ever delivered.</summary>
internal sealed class FaultQueue() : IommufdObject(ObjectType.Fault)
{
    public override void Destroy() { }
}

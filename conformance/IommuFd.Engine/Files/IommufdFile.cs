using IommuFd.Engine.Dispatch;

namespace IommuFd.Engine.Files;

/// <summary>An open of /dev/iommu (or iommufd's /dev/vfio/vfio). Its fops have no read or write, so
/// the VFS answers EINVAL for both.</summary>
internal sealed class IommufdFile(IommufdContext context) : EngineFile
{
    public IommufdContext Context { get; } = context;

    public override long Read(Span<byte> buffer, long offset) => -Errno.EINVAL;

    public override long Write(ReadOnlySpan<byte> buffer, long offset) => -Errno.EINVAL;

    public override unsafe int Ioctl(uint request, void* argument) => Dispatcher.Ioctl(Context, request, (ulong)argument);

    public override void Release() => Context.Put();
}

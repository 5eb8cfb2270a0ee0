namespace IommuFd.Engine.Dispatch;

/// <summary>A command handler: runs under the context lock with the struct already copied in.</summary>
internal delegate int IoctlHandler(IommufdContext ctx, ref UserCommand ucmd);

/// <summary>One row of the dispatch table (struct iommufd_ioctl_op).</summary>
/// <param name="Request">The full command value the request must equal.</param>
/// <param name="Handler">Runs the command under the context lock.</param>
/// <param name="Size">sizeof the struct: how much is copied in.</param>
/// <param name="MinSize">offsetofend of the last ABI-v1 member: smaller sizes are EINVAL.</param>
internal sealed record IoctlOp(uint Request, IoctlHandler Handler, int Size, int MinSize);

namespace IommuFd.Uapi;

/// <summary>One ioctl of a generated header: its C macro name, request number, the struct it
/// takes (null for ioctls without an argument or with a plain integer argument), and the name of
/// the field that carries the struct's size (<c>size</c> or <c>argsz</c>), if any.</summary>
public sealed record IoctlDescriptor(string Name, uint Request, Type? ArgumentType, string? SizeField);

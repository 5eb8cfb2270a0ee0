namespace Fiemap.Sample;

/// <summary>An inode's attributes from FS_IOC_FSGETXATTR: FS_XFLAG_* flags, the extent size hint
/// in bytes, and the project id.</summary>
public readonly record struct InodeAttributes(uint Flags, uint ExtentSize, uint ProjectId);

// iommufd, VFIO and the kernel tier exist only on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

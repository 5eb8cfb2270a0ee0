// The --vm option boots the Linux test kernel in QEMU.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

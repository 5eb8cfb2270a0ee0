// QEMU, 9p and the guest's init script are Linux-only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

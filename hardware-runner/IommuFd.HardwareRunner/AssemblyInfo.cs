// The runner reads sysfs and procfs, binds devices through sysfs and boots QEMU: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// The suite reaches the kernel tier (IommuFd.Testing), which exists on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

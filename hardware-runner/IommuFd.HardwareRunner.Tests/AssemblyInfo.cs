// The runner under test is Linux-only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

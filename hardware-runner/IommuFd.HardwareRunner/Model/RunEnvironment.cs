namespace IommuFd.HardwareRunner.Model;

/// <summary>Facts about the run as a whole, recorded in every output.</summary>
/// <param name="RunId">Unique id of the run (UTC time stamp plus random suffix); used in KCIDB ids.</param>
/// <param name="Origin">KCIDB origin (<c>[a-z0-9_]+</c>).</param>
/// <param name="Hostname">The machine that ran the runner.</param>
/// <param name="Architecture">e.g. <c>x86_64</c>.</param>
/// <param name="HostKernel">The host's own kernel.</param>
/// <param name="Command">The verb and arguments the runner was started with.</param>
public sealed record RunEnvironment(string RunId, string Origin, string Hostname, string Architecture, KernelIdentity HostKernel, string Command);

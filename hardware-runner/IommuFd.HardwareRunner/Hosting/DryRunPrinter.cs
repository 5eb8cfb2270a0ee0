using IommuFd.HardwareRunner.Model;
using IommuFd.HardwareRunner.Vfio;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>A dry run's report: where results would go, what would happen to each allowlisted device, and
/// every group with its cases, as KTAP comment lines.</summary>
public static class DryRunPrinter
{
    /// <summary>Prints the plan to <paramref name="o"/>.</summary>
    public static void Print(TextWriter o, IReadOnlyList<TestGroup> groups, IReadOnlyList<DeviceBinding> bindings, string output, bool allowHostChanges)
    {
        o.WriteLine($"# dry run: nothing is run and nothing on the host is changed; results would go to {output}");
        o.WriteLine($"# vfio-pci allowlist: {(bindings.Count == 0 ? "empty (no device will be touched)" : string.Join(", ", bindings.Select(b => b.Device)))}");
        foreach (DeviceBinding b in bindings)
        {
            if (b.Refusal is not null) o.WriteLine($"#   {b.Device}: not touched: {b.Refusal}");
            else if (b.Writes.Count == 0) o.WriteLine($"#   {b.Device}: already bound to vfio-pci");
            else
            {
                o.WriteLine($"#   {b.Device}: bound to {b.CurrentDriver ?? "no driver"}; would bind to vfio-pci{(allowHostChanges ? "" : " (only with --allow-host-changes)")}:");
                foreach (SysfsWrite w in b.Writes) o.WriteLine($"#     {w}");
            }
        }
        foreach (TestGroup g in groups)
        {
            switch (g)
            {
                case StaticTestGroup s:
                    o.WriteLine($"# group {s.Name}: {s.Description}: {s.Cases.Count} case(s){(s.SkipReason is null ? "" : $", all skipped: {s.SkipReason}")}");
                    foreach (RunnerTestCase c in s.Cases) o.WriteLine($"#   {c.Name}");
                    break;
                default:
                    o.WriteLine($"# group {g.Name}: {g.Description}");
                    break;
            }
        }
    }
}

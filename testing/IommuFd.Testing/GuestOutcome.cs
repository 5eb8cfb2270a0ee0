using NUnit.Framework;

namespace IommuFd.Testing;

/// <summary>Ends a host-side test with what the same test did inside the VM.</summary>
internal static class GuestOutcome
{
    public static void Report(GuestTestRun run, string fullName, IommuFd.TestVm.IommuModel model)
    {
        string where = $"the {model.ToString().ToLowerInvariant()} test VM";
        if (run.Results is null)
            Assert.Fail($"kernel tier: {where} produced no results: {run.Problem}");
        if (!run.Results!.TryGetValue(fullName, out var result))
        {
            Assert.Fail($"kernel tier: {where} has no result for {fullName} ({run.Results.Count} results in {run.TrxPath}); " +
                "is the test in the Kernel category?");
        }
        string output = result!.Output.Length > 0 ? $"\n--- guest output ---\n{result.Output.TrimEnd()}" : "";
        switch (result.Outcome)
        {
            case "Passed":
                if (output.Length > 0)
                    TestContext.Out.WriteLine(output.TrimStart('\n'));
                Assert.Pass($"passed in {where} (boot {run.Vm.BootTime?.TotalSeconds:F1} s, run {run.Vm.Elapsed.TotalSeconds:F0} s)");
                break;
            case "NotExecuted":
                Assert.Ignore($"skipped in {where}: {FirstNonEmpty(result.Message, result.Output)}");
                break;
            default:
                Assert.Fail($"{result.Outcome} in {where}: {result.Message}\n{result.StackTrace}{output}\n(guest files: {run.Vm.OutDirectory})");
                break;
        }
    }

    private static string FirstNonEmpty(string a, string b) => a.Trim().Length > 0 ? a.Trim() : b.Trim();
}

using IommuFd.Testing;
using IommuFd.TestVm;
using NUnit.Framework.Internal;

namespace IommuFd.Kernel.Tests;

/// <summary>How a host-side test ends for each guest outcome (no VM needed: the guest run is given).</summary>
[TestFixture]
public sealed class GuestOutcomeTests
{
    private const string Name = "N.C.T(Amd)";

    private static GuestTestRun Run(VmOutcome outcome, params TrxTestResult[] results)
    {
        var vm = new VmResult
        {
            Outcome = outcome,
            ExitCode = outcome == VmOutcome.Completed ? 0 : null,
            Console = "line 1\nKernel panic - not syncing: sysrq triggered crash\n",
            QemuErrors = "",
            OutDirectory = "/out",
            Elapsed = TimeSpan.FromSeconds(40),
            BootTime = TimeSpan.FromSeconds(4),
            Accelerator = VmAccelerator.Tcg,
            VmName = "vm",
        };
        return outcome == VmOutcome.Completed
            ? new GuestTestRun(vm, results.ToDictionary(r => r.FullName), null, "/out/results/kernel.trx")
            : new GuestTestRun(vm, null, vm.Describe(), "/out/results/kernel.trx");
    }

    /// <summary>Runs <paramref name="report"/> in an isolated NUnit context and returns what it threw.</summary>
    private static Exception? Ending(Action report)
    {
        using (new TestExecutionContext.IsolatedContext())
        {
            try
            {
                report();
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        }
    }

    [Test]
    public void A_guest_pass_passes()
    {
        var run = Run(VmOutcome.Completed, new TrxTestResult(Name, "Passed", "", "", "out"));
        Assert.That(Ending(() => GuestOutcome.Report(run, Name, IommuModel.Amd)), Is.InstanceOf<SuccessException>());
    }

    [Test]
    public void A_guest_failure_fails_with_the_guest_message()
    {
        var run = Run(VmOutcome.Completed, new TrxTestResult(Name, "Failed", "expected 0 but was -22", "at T()", "guest says hi"));
        var e = Ending(() => GuestOutcome.Report(run, Name, IommuModel.Amd));
        Assert.That(e, Is.InstanceOf<AssertionException>());
        Assert.That(e!.Message, Does.Contain("expected 0 but was -22").And.Contain("guest says hi").And.Contain("amd test VM"));
    }

    [Test]
    public void A_guest_skip_is_a_skip_with_the_reason()
    {
        var run = Run(VmOutcome.Completed, new TrxTestResult(Name, "NotExecuted", "runs in the intel VM", "", ""));
        var e = Ending(() => GuestOutcome.Report(run, Name, IommuModel.Amd));
        Assert.That(e, Is.InstanceOf<IgnoreException>());
        Assert.That(e!.Message, Does.Contain("runs in the intel VM"));
    }

    [Test]
    public void A_missing_guest_result_fails()
    {
        var run = Run(VmOutcome.Completed, new TrxTestResult("N.C.Other", "Passed", "", "", ""));
        var e = Ending(() => GuestOutcome.Report(run, Name, IommuModel.Amd));
        Assert.That(e, Is.InstanceOf<AssertionException>());
        Assert.That(e!.Message, Does.Contain("no result for " + Name));
    }

    [Test]
    public void A_vm_that_panicked_fails_every_test_with_the_vm_outcome()
    {
        var e = Ending(() => GuestOutcome.Report(Run(VmOutcome.GuestPanic), Name, IommuModel.Amd));
        Assert.That(e, Is.InstanceOf<AssertionException>());
        Assert.That(e!.Message, Does.Contain("GuestPanic").And.Contain("Kernel panic"));
    }
}

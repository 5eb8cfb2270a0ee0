using IommuFd.Conformance.Traces.Catalogue;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>7.3's change_process fixture, case basic, variants account_none, account_user and account_mm
/// (traces mapfile/change-process-VARIANT): IOMMU_IOAS_CHANGE_PROCESS refuses an IOAS with an area of user
/// memory (EINVAL), and with file areas only it moves the pinned-page accounting to the calling process,
/// here and in a forked one (the helper process "p", which shares the iommufd). The replay runs as root
/// with CAP_IPC_LOCK, which the selftest drops: the pages are never charged, so its VmPin/VmLck checks
/// have nothing to see. Beyond the selftest: once p is gone the file's pages still read through an access
/// and fill a new domain (a file needs no mm), and the call moves everything back.</summary>
public sealed class ChangeProcessTests(BackendKind backend) : MockDomainFixture(backend)
{
    public static IEnumerable<string> Variants() => MapFileTraces.AccountVariants.Select(v => v.Name);

    [TestCaseSource(nameof(Variants))]
    public void Basic(string variant)
    {
        var r = Replay($"mapfile/change-process-{variant}");
        Assert.Multiple(() =>
        {
            Succeeds(r["mock_domain"]);
            Fails(r["change_with_user_area"], Errno.EINVAL);
            Succeeds(r["unmap_user"]);
            Succeeds(r["change_here"]);
            Succeeds(r["change_in_child"]);
            Succeeds(r["child_exit"]);
            Succeeds(r["rw_after_child"]);
            Assert.That(r["rw_after_child_bytes"].Hex, Is.EqualTo(Convert.ToHexStringLower(TraceConstants.Pattern((int)TestEnv.PageSize, 3).AsSpan(0, 64))));
            Succeeds(r["mock_domain_after_child"]);
            Succeeds(r["check_after_child"]);
            Succeeds(r["change_back"]);
            Fails(r["change_reserved"], Errno.EOPNOTSUPP);
            Succeeds(r["teardown_refs"]);
            Succeeds(r["teardown_mfd_refs"]);
        });
    }
}

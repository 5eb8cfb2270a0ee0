using IommuFd.Conformance.Traces.Catalogue;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>7.3's IOMMU_IOAS_MAP_FILE in its selftests: cmd_length's row for it, and the iommufd_mock_domain
/// cases basic, all_aligns, all_aligns_copy and user_copy of the variant one_domain_file (a memfd mapped by fd
/// and offset, checked through its shared mapping), from the traces mapfile/* (MapFileTraces). They apply
/// from 7.3 on: on an older kernel the test is ignored, saying so.</summary>
public sealed class MapFileTests(BackendKind backend) : MockDomainFixture(backend)
{
    private const ulong Page = TestEnv.PageSize;

    [Test]
    public void CmdLength()
    {
        var r = Replay("mapfile/cmd-length");
        Assert.Multiple(() =>
        {
            foreach (string name in new[] { "map_file", "change_process" })
            {
                Fails(r[$"{name}_short"], Errno.EINVAL);       // below offsetofend of the last member
                Fails(r[$"{name}_nonzero_tail"], Errno.E2BIG); // a byte past the struct that is not zero
            }
            Fails(r["map_file_exact"], Errno.EINVAL);          // neither READABLE nor WRITEABLE
            Fails(r["map_file_zero_tail"], Errno.EINVAL);      // a zero tail changes nothing
            Succeeds(r["change_process_exact"]);               // nothing mapped: nothing to move
            Succeeds(r["change_process_zero_tail"]);
        });
    }

    [Test]
    public void Basic()
    {
        var r = Replay("mapfile/basic-one-domain-file");
        Assert.Multiple(() =>
        {
            Succeeds(r["mock_domain0"]);
            Succeeds(r["map_one_page"]);
            Succeeds(r["check_one_page_hwpt0"]);   // the domain holds the memfd's page the shared mapping shows
            Fails(r["map_past_end"], Errno.EINVAL);  // one byte past the end of the 8-page memfd
            Succeeds(r["truncate_tmp"]);
            Fails(r["map_truncated"], Errno.EINVAL); // memfd_pin_folios: the range ends past i_size
            Succeeds(r["teardown_refs"]);
            Succeeds(r["teardown_mfd_refs"]);
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public void AllAligns(bool copy)
    {
        Trace trace = TraceFiles.Load(copy ? "mapfile/all-aligns-copy-one-domain-file" : "mapfile/all-aligns-one-domain-file");
        TraceKernels.RequireApplies(trace);
        var r = Replay(trace);
        Assert.Multiple(() =>
        {
            AllSucceed(r, from: "mock_domain0");
            // Every start and end in 2 KiB steps inside the 8-page memfd, end < its end: 15+14+...+0.
            Assert.That(trace.Steps.Count(s => s is IoctlStep { Command: "IOMMU_IOAS_MAP_FILE" }), Is.EqualTo(120));
        });
    }

    [Test]
    public void UserCopy()
    {
        var r = Replay("mapfile/user-copy-one-domain-file");
        Assert.Multiple(() =>
        {
            AllSucceed(r, from: "mock_domain0");
            // The access reads the memfd's bytes (written through its mapping) through the copied area.
            Assert.That(r["rw_read_bytes"].Hex, Is.EqualTo(Convert.ToHexStringLower(TraceConstants.Pattern((int)(16 * Page), 73).AsSpan(0, 64))));
        });
    }
}

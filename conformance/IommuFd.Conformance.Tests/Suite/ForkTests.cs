using System.Text.Json.Nodes;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The 6.12 selftests' iommufd_ioas fork_gone and fork_present for the variants no_domain,
/// mock_domain (without its PASID device), two_mock_domain and mock_domain_limit: another process
/// (a spawned helper sharing the iommufd, the trace's "proc") maps 16 pages of its own memory; the
/// pages remember its mm. Traces mockdomain/ioas-fork-{gone,present}-VARIANT (every variant adds a
/// mock domain, so the kernel side runs in the virtio VM).</summary>
public sealed class ForkTests(BackendKind backend) : MockDomainFixture(backend)
{
    public static readonly string[] Variants = ["no-domain", "mock-domain", "two-mock-domain", "mock-domain-limit"];

    /// <summary>Once the mapper is gone: with a domain everything was pinned in the child, so a new domain
    /// copies from the old one and the access reads and writes the pinned pages; without one, pinning
    /// needs the gone mm: the mock domain is EFAULT, and so are the access's reads.</summary>
    [TestCaseSource(nameof(Variants))]
    public void ForkGone(string variant)
    {
        var r = Replay($"mockdomain/ioas-fork-gone-{variant}");
        Succeeds(r["child_map"]);
        Succeeds(r["child_exit"]);
        if (variant == "no-domain")
        {
            Assert.Multiple(() =>
            {
                Fails(r["mock_domain_after"], Errno.EFAULT); // the pages must be pinned from the gone mm
                Fails(r["rw_one_page"], Errno.EFAULT);
                Fails(r["rw_two_pages"], Errno.EFAULT);
                Succeeds(r["unmap"]);
            });
            return;
        }
        Succeeds(r["mock_domain_after"]);
        CheckAccessReadsAndWrites(r);
    }

    /// <summary>While the mapper lives, a new domain pins its pages from its mm and the access reads and
    /// writes them; after it exits the pinned pages still answer.</summary>
    [TestCaseSource(nameof(Variants))]
    public void ForkPresent(string variant)
    {
        var r = Replay($"mockdomain/ioas-fork-present-{variant}");
        Succeeds(r["child_map"]);
        Succeeds(r["mock_domain_after"]); // MOCK_DOMAIN pins from the live child
        CheckAccessReadsAndWrites(r);
    }

    // Every ACCESS_RW from the first on succeeds; each value written through the access is read back
    // through it; while the child lives its memory holds what the access wrote; a read of the whole mapping
    // returns the child's bytes (page 0's head).
    private static void CheckAccessReadsAndWrites(ReplayResults r)
    {
        byte[]? written = null;
        bool rereading = false;
        int rw = 0;
        Assert.Multiple(() =>
        {
            foreach ((TraceStep step, StepResult result) in r.Steps(from: "rw_read_0"))
            {
                switch (step)
                {
                    case IoctlStep { Command: "IOMMU_TEST_CMD" } ioctl when IsAccessRw(ioctl):
                        rw++;
                        Succeeds(result);
                        ulong flags = (ulong)ioctl.Arg!["access_rw"]!["flags"]!;
                        rereading = written is not null && flags == 0;
                        break;
                    case WriteStep { Buffer: "t" } write when write.Data.Any(b => b != 0):
                        written = write.Data;
                        break;
                    case ReadStep { Buffer: "t" } when rereading:
                        Assert.That(result.Hex, Is.EqualTo(Convert.ToHexStringLower(written!)), $"{step.Label}: written value read back");
                        written = null;
                        rereading = false;
                        break;
                    case ReadStep { Buffer: "c", Label: { } label }:
                        string reread = label.Replace("rw_child_", "rw_reread_", StringComparison.Ordinal);
                        Assert.That(result.Hex, Is.EqualTo(r[reread].Hex), $"{label}: the child's memory holds what the access wrote");
                        break;
                }
            }
            Assert.That(rw, Is.GreaterThan(90));
            Assert.That(r["rw_all_pages_head"].Hex, Is.EqualTo(Convert.ToHexStringLower(ChildWrite(r.Trace, 0))), "page 0 as the child wrote it");
        });
    }

    private static bool IsAccessRw(IoctlStep step) => step.Arg?["op"] is JsonValue op && (ulong)op == 8;

    private static byte[] ChildWrite(Trace trace, ulong offset) =>
        trace.Steps.OfType<WriteStep>().First(w => w.Buffer == "c" && w.Offset == offset).Data;
}

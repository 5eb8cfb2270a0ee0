using System.Text.Json.Nodes;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Tests.Support;
using IommuFd.Conformance.Traces;
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
        Trace trace = TraceFiles.Load($"mockdomain/ioas-fork-gone-{variant}");
        var r = Replay(trace);
        int map = Labelled(trace, "IOMMU_IOAS_MAP", proc: true);
        Succeeds(r[map]);
        Assert.That(trace.Steps[map + 1], Is.TypeOf<ExitStep>());
        Succeeds(r[map + 1]);
        if (variant == "no-domain")
        {
            Assert.Multiple(() =>
            {
                Fails(r[map + 2], Errno.EFAULT); // MOCK_DOMAIN: the pages must be pinned from the gone mm
                Fails(r[map + 3], Errno.EFAULT); // ACCESS_RW of one page
                Fails(r[map + 4], Errno.EFAULT); // ACCESS_RW of two pages
                Succeeds(r[map + 5]);            // UNMAP
            });
            return;
        }
        Succeeds(r[map + 2]);
        CheckAccessReadsAndWrites(trace, r, map + 3);
    }

    /// <summary>While the mapper lives, a new domain pins its pages from its mm and the access reads and
    /// writes them; after it exits the pinned pages still answer.</summary>
    [TestCaseSource(nameof(Variants))]
    public void ForkPresent(string variant)
    {
        Trace trace = TraceFiles.Load($"mockdomain/ioas-fork-present-{variant}");
        var r = Replay(trace);
        int map = Labelled(trace, "IOMMU_IOAS_MAP", proc: true);
        Succeeds(r[map]);
        Succeeds(r[map + 1]); // MOCK_DOMAIN pins from the live child
        CheckAccessReadsAndWrites(trace, r, map + 2);
    }

    // Every ACCESS_RW from `from` on succeeds; each value written through the access is read back
    // through it; a read of the whole mapping returns the child's bytes (page 0's head, page 15's tail).
    private static void CheckAccessReadsAndWrites(Trace trace, IReadOnlyList<StepResult> r, int from)
    {
        byte[]? written = null;
        bool rereading = false;
        int rw = 0;
        Assert.Multiple(() =>
        {
            for (int i = from; i < trace.Steps.Count; i++)
            {
                switch (trace.Steps[i])
                {
                    case IoctlStep { Command: "IOMMU_TEST_CMD" } ioctl when IsAccessRw(ioctl):
                        rw++;
                        Succeeds(r[i]);
                        ulong flags = (ulong)ioctl.Arg!["access_rw"]!["flags"]!;
                        rereading = written is not null && flags == 0;
                        break;
                    case WriteStep { Buffer: "t" } write when write.Data.Any(b => b != 0):
                        written = write.Data;
                        break;
                    case ReadStep { Buffer: "t" } when rereading:
                        Assert.That(r[i].Hex, Is.EqualTo(Convert.ToHexStringLower(written!)), $"step {i}: written value read back");
                        written = null;
                        rereading = false;
                        break;
                    case ReadStep { Buffer: "c" } read:
                        Assert.That(r[i].Hex, Is.EqualTo(r[i - 1].Hex), $"step {i}: the child's memory holds what the access wrote");
                        break;
                }
            }
            Assert.That(rw, Is.GreaterThan(90));
            int all = FirstAllPagesRead(trace);
            Assert.That(r[all + 1].Hex, Is.EqualTo(Convert.ToHexStringLower(ChildWrite(trace, 0))), "page 0 as the child wrote it");
        });
    }

    private static bool IsAccessRw(IoctlStep step) => step.Arg?["op"] is JsonValue op && (ulong)op == 8;

    private static int Labelled(Trace trace, string command, bool proc) =>
        trace.Steps.Select((s, i) => (s, i)).First(p => p.s is IoctlStep io && io.Command == command && (io.Process is not null) == proc).i;

    private static int FirstAllPagesRead(Trace trace) =>
        trace.Steps.Select((s, i) => (s, i)).First(p => p.s is IoctlStep io && IsAccessRw(io) && (ulong)io.Arg!["access_rw"]!["length"]! == 16 * 4096).i;

    private static byte[] ChildWrite(Trace trace, ulong offset) =>
        trace.Steps.OfType<WriteStep>().First(w => w.Buffer == "c" && w.Offset == offset).Data;
}

using System.Globalization;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>Automatic IOVA allocation outcomes for many user-address alignments and lengths, each
/// against the 6.12 algorithm written out in <see cref="IovaAllocation"/>.</summary>
public sealed class IovaAllocationTests(BackendKind backend) : ConformanceFixture(backend)
{
    [Test]
    public void EveryAlignmentAndLength()
    {
        var cases = IovaAllocation.Cases.ToList();
        var r = Replay(SuiteTraces.IovaAllocationSweep());
        var wrong = new List<string>();
        for (int i = 0; i < cases.Count; i++)
        {
            (ulong offset, ulong length) = cases[i];
            StepResult map = r[$"map{i}"], unmap = r[$"unmap{i}"];
            if (map.Rc != 0 || unmap.Rc != 0)
            {
                wrong.Add($"offset {offset} length {length}: {map} / {unmap}");
                continue;
            }
            ulong expected = IovaAllocation.Expected(offset, length, TestEnv.MaxIovaAlignment);
            ulong actual = Number(map, "iova");
            if (actual != expected)
                wrong.Add(string.Create(CultureInfo.InvariantCulture, $"offset {offset:#,0} length {length:#,0}: iova 0x{actual:x}, expected 0x{expected:x}"));
        }
        Assert.That(wrong, Is.Empty, () => $"{wrong.Count} of {cases.Count} cases:\n" + string.Join("\n", wrong.Take(20)));
    }
}

using IommuFd.Conformance.Random;

namespace IommuFd.Conformance.Tests.Library;

public sealed class ShrinkerTests
{
    [Test]
    public void RemovingAStepTakesItsDependentsAndRenumbers()
    {
        Trace trace = Trace.Parse("t", """
            {"op":"alloc","buf":"a","length":4096}
            {"op":"ioctl","cmd":"FAKE_CMD","arg":{"id":1}}
            {"op":"open"}
            {"op":"ioctl","cmd":"FAKE_CMD","arg":{"id":"$1.id","user_va":"@a+0"},"fd":1}
            {"op":"open"}
            {"op":"ioctl","cmd":"FAKE_CMD","arg":{"id":2},"fd":2}
            {"op":"ioctl","cmd":"FAKE_CMD","arg":{"id":"$5.out_iova"},"fd":2}
            {"op":"close","fd":2}
            """);
        Trace smaller = TraceEditor.Remove(trace, [1, 2]);
        Assert.That(smaller.ToJsonLines(), Is.EqualTo("""
            {"op":"alloc","buf":"a","length":4096}
            {"op":"open"}
            {"op":"ioctl","cmd":"FAKE_CMD","fd":1,"arg":{"id":2}}
            {"op":"ioctl","cmd":"FAKE_CMD","fd":1,"arg":{"id":"$2.out_iova"}}
            {"op":"close","fd":1}

            """));
    }

    [Test]
    public void CreatedFdsAndFdValuesAreDependenciesAndAreRenumbered()
    {
        Trace trace = Trace.Parse("t", """
            {"op":"open"}
            {"op":"ioctl","cmd":"IOMMU_FAULT_QUEUE_ALLOC","arg":{}}
            {"op":"fdread","fd":2,"length":40}
            {"op":"ioctl","cmd":"FAKE_CMD","arg":{"id":"%2"}}
            {"op":"fdwrite","fd":2,"hex":"00"}
            {"op":"close","fd":1}
            """);
        Assert.That(TraceEditor.Dependencies(trace)[3], Is.EquivalentTo(new[] { 1 }));
        Trace smaller = TraceEditor.Remove(trace, [0]);
        Assert.That(smaller.ToJsonLines(), Is.EqualTo("""
            {"op":"ioctl","cmd":"IOMMU_FAULT_QUEUE_ALLOC","arg":{}}
            {"op":"fdread","fd":1,"length":40}
            {"op":"ioctl","cmd":"FAKE_CMD","arg":{"id":"%1"}}
            {"op":"fdwrite","fd":1,"hex":"00"}

            """));
        Assert.That(TraceEditor.Remove(trace, [1]).Steps, Has.Count.EqualTo(2), "removing the allocation takes its fd's users");
    }

    [Test]
    public void ShrinksToTheStepsTheFailureNeeds()
    {
        var lines = new List<string> { "{\"op\":\"alloc\",\"buf\":\"a\",\"length\":4096}" };
        for (int i = 0; i < 40; i++)
            lines.Add($"{{\"op\":\"ioctl\",\"cmd\":\"FAKE_CMD\",\"arg\":{{\"id\":{i}}}}}");
        lines.Add("{\"op\":\"ioctl\",\"cmd\":\"FAKE_CMD\",\"arg\":{\"id\":\"$17.id\",\"user_va\":\"@a+0\"}}");
        Trace trace = Trace.Parse("t", string.Join('\n', lines));

        // "Fails" while a step refers to another step whose id is 16.
        static bool Fails(Trace t) => t.Steps.OfType<IoctlStep>().Any(s =>
            s.Arg?["id"]?.ToJsonString() is { } id && id.StartsWith("\"$", StringComparison.Ordinal) &&
            ((IoctlStep)t.Steps[int.Parse(id[2..id.IndexOf('.')], System.Globalization.CultureInfo.InvariantCulture)]).Arg!["id"]!.GetValue<int>() == 16);

        Assert.That(Fails(trace), Is.True);
        Trace minimal = Shrinker.Shrink(trace, Fails);
        Assert.That(minimal.ToJsonLines(), Is.EqualTo("""
            {"op":"alloc","buf":"a","length":4096}
            {"op":"ioctl","cmd":"FAKE_CMD","arg":{"id":16}}
            {"op":"ioctl","cmd":"FAKE_CMD","arg":{"id":"$1.id","user_va":"@a+0"}}

            """));
    }
}

using IommuFd.Conformance.Layout;

namespace IommuFd.Conformance.Tests.Library;

public sealed class CStructReflectorTests
{
    [Test]
    public void DescribesFieldsByCNameWithOffsetsAndTypes()
    {
        CStruct layout = CStructReflector.Describe(typeof(fake_cmd));
        Assert.Multiple(() =>
        {
            Assert.That(layout.Name, Is.EqualTo("fake_cmd"));
            Assert.That(layout.Size, Is.EqualTo(56));
            Assert.That(layout.Fields.Select(f => (f.Name, f.Offset)), Is.EqualTo(new[]
            {
                ("size", 0), ("flags", 4), ("id", 8), ("__reserved", 12), ("small", 15), ("user_va", 16),
                ("out_iova", 24), ("range", 32), ("pad", 48), ("mode", 52),
            }));
            Assert.That(layout.Find("__reserved")!.Type, Is.EqualTo(new CArray(new CScalar(1, false), 3)));
            Assert.That(layout.Find("pad")!.Type, Is.EqualTo(new CArray(new CScalar(1, false), 4)));
            Assert.That(layout.Find("small")!.Type, Is.EqualTo(new CScalar(1, true)));
            Assert.That(layout.Find("mode")!.Type, Is.EqualTo(new CScalar(4, false)));
            Assert.That(((CStruct)layout.Find("range")!.Type).Fields.Select(f => f.Name), Is.EqualTo(new[] { "start", "last" }));
        });
    }

    [Test]
    public void BuildsEachLayoutOnce()
    {
        CStruct first = CStructReflector.Describe(typeof(fake_cmd));
        CStruct second = CStructReflector.Describe(typeof(fake_cmd));
        Assert.That(second, Is.SameAs(first));
    }

    [Test]
    public void RejectsNonStructs() =>
        Assert.Throws<NotSupportedException>(() => CStructReflector.Describe(typeof(string)));
}

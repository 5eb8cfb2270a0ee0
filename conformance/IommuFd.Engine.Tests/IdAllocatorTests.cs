using IommuFd.Engine.Objects;

namespace IommuFd.Engine.Tests;

public class IdAllocatorTests
{
    [Test]
    public void LowestFreeIdFirstStartingAtOne()
    {
        var ids = new IdAllocator(ObjectTable.Limit);
        var got = new List<uint>();
        for (int i = 0; i < 5; i++) { Assert.That(ids.TryAllocate(out uint id)); got.Add(id); }
        Assert.That(got, Is.EqualTo(new uint[] { 1, 2, 3, 4, 5 }));
        ids.Free(2);
        ids.Free(4);
        Assert.That(ids.TryAllocate(out uint a) && a == 2);
        Assert.That(ids.TryAllocate(out uint b) && b == 4);
        Assert.That(ids.TryAllocate(out uint c) && c == 6);
        ids.Free(6); ids.Free(5);
        Assert.That(ids.TryAllocate(out uint d) && d == 5);
    }

    [Test]
    public void FullSpaceFails()
    {
        var ids = new IdAllocator(3);
        for (int i = 0; i < 3; i++) Assert.That(ids.TryAllocate(out _));
        Assert.That(ids.TryAllocate(out _), Is.False);
        ids.Free(2);
        Assert.That(ids.TryAllocate(out uint id) && id == 2);
    }
}

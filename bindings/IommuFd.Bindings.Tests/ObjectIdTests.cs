namespace IommuFd.Bindings.Tests;

[TestFixture]
public class ObjectIdTests
{
    [Test]
    public void Ids_of_different_kinds_are_different_types_and_never_equal()
    {
        object ioas = new IoasId(3), hwpt = new HwptId(3);
        Assert.That(ioas, Is.Not.EqualTo(hwpt));
        Assert.That(ioas.GetType(), Is.Not.EqualTo(hwpt.GetType()));
        uint three = 3;
        Assert.That(new IoasId(three), Is.EqualTo(new IoasId(3)));
    }

    [Test]
    public void Ids_name_their_kind()
    {
        Assert.That(new IoasId(1).ToString(), Is.EqualTo("IOAS 1"));
        Assert.That(new HwptId(2).ToString(), Is.EqualTo("HWPT 2"));
        Assert.That(new DeviceId(3).ToString(), Is.EqualTo("DEVICE 3"));
        Assert.That(new SelftestId(4).ToString(), Is.EqualTo("SELFTEST 4"));
    }
}

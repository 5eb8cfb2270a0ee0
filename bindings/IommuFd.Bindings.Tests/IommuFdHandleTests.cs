using IommuFd.Bindings.Tests.Fakes;

namespace IommuFd.Bindings.Tests;

[TestFixture]
public class IommuFdHandleTests
{
    [Test]
    public void Dispose_closes_the_fd_once_through_its_backend()
    {
        using var backend = new ScriptedBackend();
        var handle = new IommuFdHandle(backend, 42);
        handle.Dispose();
        handle.Dispose();
        Assert.That(backend.Closed, Is.EqualTo(new[] { 42 }));
        Assert.That(handle.IsClosed, Is.True);
    }

    [Test]
    public void Close_waits_for_a_borrowed_fd_to_be_returned()
    {
        using var backend = new ScriptedBackend();
        var handle = new IommuFdHandle(backend, 7);
        using (IommuFdHandle.FdLease lease = handle.Borrow())
        {
            Assert.That(lease.Fd, Is.EqualTo(7));
            handle.Dispose();
            Assert.That(backend.Closed, Is.Empty, "closed while borrowed");
        }
        Assert.That(backend.Closed, Is.EqualTo(new[] { 7 }));
    }

    [Test]
    public void Borrowing_a_closed_handle_throws_ObjectDisposedException()
    {
        using var backend = new ScriptedBackend();
        var handle = new IommuFdHandle(backend, 3);
        handle.Dispose();
        Assert.Throws<ObjectDisposedException>(() => handle.Borrow().Dispose());
    }

    [Test]
    public void A_negative_fd_is_refused()
    {
        using var backend = new ScriptedBackend();
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new IommuFdHandle(backend, -9));
    }
}

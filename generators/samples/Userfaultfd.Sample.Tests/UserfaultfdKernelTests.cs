using IommuFd.Uapi;
using Userfaultfd.Sample.Interop;

namespace Userfaultfd.Sample.Tests;

/// <summary>The generated bindings against the running kernel: the UFFDIO_API handshake, and a
/// real missing-page fault resolved with UFFDIO_COPY.</summary>
public sealed class UserfaultfdKernelTests
{
    private static UserfaultfdFile OpenOrIgnore()
    {
        try
        {
            UserfaultfdFile file = UserfaultfdFile.Open();
            TestContext.Progress.WriteLine($"userfaultfd opened by {file.OpenedBy}, fd {file.Fd}");
            return file;
        }
        catch (UserfaultfdException e) when (e.Errno is 1 or 13 or 38 or 2)
        {
            // EPERM/EACCES/ENOSYS/ENOENT: the kernel or a sandbox does not allow userfaultfd here.
            Assert.Ignore($"userfaultfd is not available to this process: {e.Message}");
            throw;
        }
    }

    [Test]
    public void Handshake_returns_the_api_and_the_basic_ioctls()
    {
        using UserfaultfdFile uffd = OpenOrIgnore();
        uffdio_api api = uffd.Handshake();
        TestContext.Progress.WriteLine($"UFFDIO_API: api 0x{api.api:X}, features 0x{api.features:X}, ioctls 0x{api.ioctls:X}");
        Assert.Multiple(() =>
        {
            Assert.That(api.api, Is.EqualTo(Uffd.UFFD_API));
            Assert.That(api.features, Is.Not.Zero, "a 6.x kernel reports its features when asked for none");
            Assert.That(api.ioctls & Uffd.UFFD_API_IOCTLS, Is.EqualTo(Uffd.UFFD_API_IOCTLS),
                "UFFDIO_REGISTER, UFFDIO_UNREGISTER and UFFDIO_API are always available");
        });
    }

    [Test]
    public void A_second_handshake_is_refused()
    {
        using UserfaultfdFile uffd = OpenOrIgnore();
        uffd.Handshake();
        var error = Assert.Throws<UserfaultfdException>(() => uffd.Handshake())!;
        Assert.That(error.Errno, Is.EqualTo(22), "EINVAL: UFFDIO_API is accepted once per descriptor");
    }

    [Test]
    public void Unknown_api_is_refused()
    {
        using UserfaultfdFile uffd = OpenOrIgnore();
        var api = new uffdio_api { api = Uffd.UFFD_API + 1 };
        int result = UffdIoctls.UFFDIO_API(default(LibcIoctlTarget), uffd.Fd, ref api);
        Assert.That(result, Is.EqualTo(-22), "EINVAL for an API other than UFFD_API");
    }

    [Test, CancelAfter(30_000)]
    public unsafe void A_missing_page_fault_is_reported_and_resolved_by_copy()
    {
        using UserfaultfdFile uffd = OpenOrIgnore();
        uffd.Handshake();
        ulong page = (ulong)Environment.SystemPageSize;
        using var mapping = new AnonymousMapping(page);
        ulong rangeIoctls = uffd.Register(mapping.Address, page, Uffd.UFFDIO_REGISTER_MODE_MISSING);
        Assert.That(rangeIoctls & (1ul << Uffd._UFFDIO_COPY), Is.Not.Zero, "UFFDIO_COPY must be usable on the range");

        // A reader touches the page and blocks in the fault until the page is supplied.
        nint touched = mapping.Address + 100;
        var reader = Task.Factory.StartNew(() => *(byte*)touched, TaskCreationOptions.LongRunning);

        Assert.That(uffd.TryReadMessage(TimeSpan.FromSeconds(10), out uffd_msg message), Is.True, "no fault event within 10 s");
        Assert.Multiple(() =>
        {
            Assert.That(message.@event, Is.EqualTo((byte)Uffd.UFFD_EVENT_PAGEFAULT));
            Assert.That(message.arg.pagefault.address & ~(page - 1), Is.EqualTo((ulong)mapping.Address));
            Assert.That(message.arg.pagefault.flags & (ulong)Uffd.UFFD_PAGEFAULT_FLAG_WRITE, Is.Zero, "a read fault");
        });

        byte* source = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)page, (nuint)page);
        try
        {
            new Span<byte>(source, (int)page).Fill(0x5A);
            long copied = uffd.Copy(mapping.Address, (nint)source, page);
            Assert.That(copied, Is.EqualTo((long)page));
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(source);
        }

        Assert.That(reader.Wait(TimeSpan.FromSeconds(10)), Is.True, "the faulting reader was not woken");
        Assert.That(reader.Result, Is.EqualTo((byte)0x5A));
    }
}

using IommuFd.Bindings.Backends;

namespace IommuFd.Bindings.Tests;

/// <summary>The libc backend on any Linux host: errno must be the failing call's own.</summary>
[TestFixture]
public unsafe class KernelBackendTests
{
    private KernelBackend _backend = null!;

    [SetUp]
    public void SetUp() => _backend = new KernelBackend();

    [TearDown]
    public void TearDown() => _backend.Dispose();

    [Test]
    public void Ioctl_on_a_bad_fd_reports_EBADF()
    {
        int rc = _backend.Ioctl(-1, 0x3B80, null);
        Assert.That(ErrnoNames.FromResult(rc), Is.EqualTo(Errno.EBADF));
    }

    [Test]
    public void Ioctl_on_dev_null_reports_ENOTTY()
    {
        int fd = _backend.Open("/dev/null");
        Assert.That(fd, Is.GreaterThanOrEqualTo(0));
        try
        {
            ulong arg = 0;
            Assert.That(ErrnoNames.FromResult(_backend.Ioctl(fd, 0x3B80, &arg)), Is.EqualTo(Errno.ENOTTY));
        }
        finally
        {
            Assert.That(_backend.Close(fd), Is.Zero);
        }
    }

    [Test]
    public void A_failure_after_a_success_and_a_success_after_a_failure_report_their_own_results()
    {
        int fd = _backend.Open("/dev/null");
        try
        {
            Assert.That(ErrnoNames.FromResult(_backend.Ioctl(-1, 0x3B80, null)), Is.EqualTo(Errno.EBADF));
            // A successful call right after must not see the stale EBADF.
            Span<byte> buffer = stackalloc byte[4];
            Assert.That(_backend.Read(fd, buffer), Is.Zero);
            Assert.That(_backend.Write(fd, buffer), Is.EqualTo(4));
            // And a different failure reports its own errno, not the previous one.
            ulong arg = 0;
            Assert.That(ErrnoNames.FromResult(_backend.Ioctl(fd, 0x3B80, &arg)), Is.EqualTo(Errno.ENOTTY));
            Assert.That(ErrnoNames.FromResult(_backend.Ioctl(-1, 0x3B80, &arg)), Is.EqualTo(Errno.EBADF));
        }
        finally
        {
            _backend.Close(fd);
        }
    }

    [Test]
    public void Open_of_a_missing_node_reports_ENOENT()
    {
        Assert.That(ErrnoNames.FromResult(_backend.Open("/dev/this-node-does-not-exist")), Is.EqualTo(Errno.ENOENT));
    }

    [Test]
    public void Close_twice_reports_EBADF_the_second_time()
    {
        int fd = _backend.Open("/dev/null");
        Assert.That(_backend.Close(fd), Is.Zero);
        Assert.That(ErrnoNames.FromResult(_backend.Close(fd)), Is.EqualTo(Errno.EBADF));
    }

    [Test]
    public void Pread_at_an_offset_of_a_regular_file_reads_those_bytes_and_pwrite_writes_them()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8]);
            int fd = _backend.Open(path);
            Assert.That(fd, Is.GreaterThanOrEqualTo(0));
            try
            {
                Span<byte> two = stackalloc byte[2];
                Assert.That(_backend.Read(fd, two, offset: 5), Is.EqualTo(2));
                Assert.That(two.ToArray(), Is.EqualTo(new byte[] { 6, 7 }));
                Assert.That(_backend.Write(fd, [0xAA], offset: 1), Is.EqualTo(1));
            }
            finally
            {
                _backend.Close(fd);
            }
            Assert.That(File.ReadAllBytes(path)[1], Is.EqualTo(0xAA));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Pread_on_a_pipe_like_node_reports_ESPIPE()
    {
        // /dev/null accepts pread; a FIFO does not. Use stdin of a pipe through /proc/self/fd is not portable,
        // so make a FIFO.
        string path = Path.Combine(Path.GetTempPath(), $"iommufd-test-{Guid.NewGuid():N}");
        Assert.That(MkFifo(path), Is.Zero, "mkfifo");
        try
        {
            int fd = _backend.Open(path); // O_RDWR on a FIFO does not block on Linux
            Assert.That(fd, Is.GreaterThanOrEqualTo(0));
            try
            {
                Span<byte> one = stackalloc byte[1];
                Assert.That(ErrnoNames.FromResult(_backend.Read(fd, one, offset: 0)), Is.EqualTo(Errno.ESPIPE));
            }
            finally
            {
                _backend.Close(fd);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Allocate_gives_zeroed_page_aligned_writable_memory()
    {
        using UserMemory memory = _backend.Allocate(8192);
        Assert.That(memory.Address % 4096, Is.Zero);
        Assert.That(memory.Span.ToArray(), Has.All.EqualTo(0));
        memory.Span[8191] = 7;
        Assert.That(memory.Span[8191], Is.EqualTo(7));
    }

    private static int MkFifo(string path)
    {
        using var process = System.Diagnostics.Process.Start("mkfifo", path);
        process.WaitForExit();
        return process.ExitCode;
    }
}

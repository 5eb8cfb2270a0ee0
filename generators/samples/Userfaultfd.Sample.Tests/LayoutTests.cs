using System.Reflection;
using System.Runtime.CompilerServices;
using IommuFd.Uapi;
using Userfaultfd.Sample.Interop;

namespace Userfaultfd.Sample.Tests;

/// <summary>The generated userfaultfd.h layer has the kernel's layout and request numbers
/// (values from gcc on x86_64).</summary>
public sealed class LayoutTests
{
    [Test]
    public void Uffd_msg_is_32_bytes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Unsafe.SizeOf<uffd_msg>(), Is.EqualTo(32));
            Assert.That(typeof(uffd_msg).GetCustomAttribute<CLayoutAttribute>()!.Size, Is.EqualTo(32));
            Assert.That(typeof(uffd_msg).GetCustomAttribute<CNameAttribute>()!.Name, Is.EqualTo("struct uffd_msg"));
        });
    }

    [Test]
    public void Pagefault_address_is_at_offset_16()
    {
        var message = new uffd_msg();
        ref byte start = ref Unsafe.As<uffd_msg, byte>(ref message);
        ref byte address = ref Unsafe.As<ulong, byte>(ref message.arg.pagefault.address);
        ref byte ptid = ref Unsafe.As<uint, byte>(ref message.arg.pagefault.feat.ptid);
        int addressOffset = (int)Unsafe.ByteOffset(ref start, ref address);
        int ptidOffset = (int)Unsafe.ByteOffset(ref start, ref ptid);
        Assert.Multiple(() =>
        {
            Assert.That(addressOffset, Is.EqualTo(16));
            Assert.That(ptidOffset, Is.EqualTo(24));
        });
    }

    [Test]
    public void Uffdio_structs_have_the_kernel_sizes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Unsafe.SizeOf<uffdio_api>(), Is.EqualTo(24));
            Assert.That(Unsafe.SizeOf<uffdio_register>(), Is.EqualTo(32));
            Assert.That(Unsafe.SizeOf<uffdio_copy>(), Is.EqualTo(40));
        });
    }

    [Test]
    public void Request_numbers_and_constants()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Uffd.UFFDIO_API, Is.EqualTo(0xC018AA3Fu));
            Assert.That(Uffd.UFFDIO_REGISTER, Is.EqualTo(0xC020AA00u));
            Assert.That(Uffd.UFFDIO_COPY, Is.EqualTo(0xC028AA03u));
            Assert.That(Uffd.USERFAULTFD_IOC_NEW, Is.EqualTo(0xAA00u));
            Assert.That(Uffd.UFFD_API, Is.EqualTo(0xAAul));
            Assert.That(Uffd.UFFD_EVENT_PAGEFAULT, Is.EqualTo(0x12));
        });
    }

    [Test]
    public void Ioctl_table_describes_UFFDIO_API()
    {
        IoctlDescriptor api = Uffd.Ioctls.Single(d => d.Name == "UFFDIO_API");
        Assert.Multiple(() =>
        {
            Assert.That(api.Request, Is.EqualTo(Uffd.UFFDIO_API));
            Assert.That(api.ArgumentType, Is.EqualTo(typeof(uffdio_api)));
            Assert.That(api.SizeField, Is.Null, "uffdio_api has no size field");
        });
    }
}

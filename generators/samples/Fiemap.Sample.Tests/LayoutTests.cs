using System.Reflection;
using System.Runtime.CompilerServices;
using Fiemap.Sample.Interop;
using IommuFd.Uapi;

namespace Fiemap.Sample.Tests;

/// <summary>The generated fs.h and fiemap.h layers have the kernel's layout and request numbers
/// (values from gcc on x86_64 and arm64, which agree for these structs).</summary>
public sealed class LayoutTests
{
    [Test]
    public void Fiemap_is_32_bytes_with_its_extents_after_it()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Unsafe.SizeOf<fiemap>(), Is.EqualTo(32));
            Assert.That(fiemap.fm_extents_Offset, Is.EqualTo(32));
            Assert.That(fiemap.SizeOf(3), Is.EqualTo(32 + 3 * 56));
            Assert.That(Unsafe.SizeOf<fiemap_extent>(), Is.EqualTo(56));
            Assert.That(typeof(fiemap).GetCustomAttribute<CNameAttribute>()!.Name, Is.EqualTo("struct fiemap"));
        });
    }

    [Test]
    public void Fsxattr_is_28_bytes()
    {
        Assert.That(Unsafe.SizeOf<fsxattr>(), Is.EqualTo(28));
        Assert.That(typeof(fsxattr).GetCustomAttribute<CLayoutAttribute>()!.Alignment, Is.EqualTo(4));
    }

    [Test]
    public void Request_numbers_are_the_kernels()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FileExtents.FsIocFiemap, Is.EqualTo(0xC020660Bu));
            Assert.That(Fs.FS_IOC_FSGETXATTR, Is.EqualTo(0x801C581Fu));
            Assert.That(Fs.FICLONE, Is.EqualTo(0x40049409u));
        });
    }

    [Test]
    public void Generated_types_are_internal_as_the_project_asks()
    {
        Assert.That(typeof(fiemap).IsPublic, Is.False);
        Assert.That(typeof(Fs).IsPublic, Is.False);
    }
}

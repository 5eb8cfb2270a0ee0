using IommuFd.UapiGenerator.Testing;
using IommuFd.UapiGenerator.Tests.Infrastructure;

namespace IommuFd.UapiGenerator.Tests;

/// <summary>A header outside iommufd/vfio: userfaultfd.h (source-tree spelling, with __packed and
/// _IOWR ioctls carrying their struct). Expected values from gcc on x86_64.</summary>
public class UserfaultfdTests
{
    [Test]
    public void GeneratesWithoutDiagnosticsAndMatchesGcc()
    {
        // /dev/userfaultfd's USERFAULTFD_IOC_NEW takes open flags by value; nothing in the header says so.
        var map = HeaderInput.Map("/virtual/uffd-map.txt", "USERFAULTFD_IOC_NEW = int\n");
        var input = (UapiHeaders.Userfaultfd with { ClassName = "Userfaultfd", IoctlMapPath = map.Path }).Input();
        var (result, output) = GeneratorHarness.Generate(new UapiGenerator(), [input, map]);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(GeneratorHarness.CompileErrors(output), Is.Empty);

        var model = ModelRunner.Compile(input, [map]).Model!;
        Assert.That(model.Ioctls.Single(i => i.Name == "USERFAULTFD_IOC_NEW").ArgCsType, Is.EqualTo("int"));
        var msg = model.Structs.Single(s => s.CsName == "uffd_msg");
        Assert.That((msg.Size, msg.Align), Is.EqualTo((32, 1)));
        Assert.That(model.Structs.Single(s => s.CsName == "uffdio_api").Size, Is.EqualTo(24));
        Assert.That(model.Ioctls.Single(i => i.Name == "UFFDIO_API").Request, Is.EqualTo(0xC018AA3Fu));
        Assert.That(model.Ioctls.Single(i => i.Name == "UFFDIO_COPY").Request, Is.EqualTo(0xC028AA03u));
        Assert.That(model.Ioctls.Single(i => i.Name == "UFFDIO_MOVE").ArgCsType, Is.EqualTo("uffdio_move"));
        Assert.That(model.Constants.Single(c => c.Name == "UFFD_API"), Has.Property("CsType").EqualTo("ulong").And.Property("Value").EqualTo("170"));
    }
}

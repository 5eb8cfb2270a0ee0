namespace IommuFd.Bindings.Tests;

[TestFixture]
public class ErrnoTests
{
    [TestCase(1, "EPERM")]
    [TestCase(2, "ENOENT")]
    [TestCase(7, "E2BIG")]
    [TestCase(9, "EBADF")]
    [TestCase(22, "EINVAL")]
    [TestCase(25, "ENOTTY")]
    [TestCase(35, "EDEADLK")]
    [TestCase(52, "EBADE")]
    [TestCase(75, "EOVERFLOW")]
    [TestCase(77, "EBADFD")]
    [TestCase(90, "EMSGSIZE")]
    [TestCase(95, "EOPNOTSUPP")]
    [TestCase(98, "EADDRINUSE")]
    [TestCase(133, "EHWPOISON")]
    public void Numbers_have_the_asm_generic_names(int number, string name)
    {
        Assert.That(ErrnoNames.Name(number), Is.EqualTo(name));
        Assert.That(((Errno)number).ToString(), Is.EqualTo(name));
    }

    [TestCase(0)]
    [TestCase(41)]
    [TestCase(58)]
    [TestCase(600)]
    public void Numbers_without_a_name_are_shown_as_numbers(int number)
    {
        Assert.That(ErrnoNames.Name(number), Is.EqualTo($"errno {number}"));
    }

    [Test]
    public void FromResult_maps_non_negative_results_to_None_and_negative_ones_to_their_errno()
    {
        Assert.That(ErrnoNames.FromResult(0), Is.EqualTo(Errno.None));
        Assert.That(ErrnoNames.FromResult(3), Is.EqualTo(Errno.None));
        Assert.That(ErrnoNames.FromResult(-22), Is.EqualTo(Errno.EINVAL));
        Assert.That(ErrnoNames.FromResult(-90L), Is.EqualTo(Errno.EMSGSIZE));
    }

    [Test]
    public void Exception_keeps_operation_number_and_name_and_says_them()
    {
        var e = new IommuFdException("IOMMU_IOAS_MAP", 22);
        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Is.EqualTo("IOMMU_IOAS_MAP failed: EINVAL (22)"));
            Assert.That(e.Operation, Is.EqualTo("IOMMU_IOAS_MAP"));
            Assert.That(e.ErrorNumber, Is.EqualTo(22));
            Assert.That(e.Errno, Is.EqualTo(Errno.EINVAL));
            Assert.That(e.ErrnoName, Is.EqualTo("EINVAL"));
        });
    }

    [Test]
    public void ThrowIfError_passes_results_through_and_throws_for_negative_ones()
    {
        Assert.That(IommuFdException.ThrowIfError(5, "X"), Is.EqualTo(5));
        var e = Assert.Throws<IommuFdException>(() => IommuFdException.ThrowIfError(-95, "IOMMU_OPTION"));
        Assert.That(e!.Message, Is.EqualTo("IOMMU_OPTION failed: EOPNOTSUPP (95)"));
    }
}

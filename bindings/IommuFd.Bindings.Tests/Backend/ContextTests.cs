namespace IommuFd.Bindings.Tests.Backend;

/// <summary>Objects, ids, options and the VFIO compat IOAS on a fresh iommufd.</summary>
public class ContextTests(BackendKind backend) : ContextFixture(backend)
{
    [Test]
    public void Ids_start_at_1_and_the_lowest_free_id_is_reused()
    {
        Ioas first = Context.CreateIoas();
        Ioas second = Context.CreateIoas();
        Assert.That((first.Id.Value, second.Id.Value), Is.EqualTo((1u, 2u)));

        first.Destroy();
        Assert.That(Context.CreateIoas().Id, Is.EqualTo(first.Id));
    }

    [Test]
    public void Destroying_an_unknown_id_or_id_0_is_ENOENT()
    {
        Assert.That(Context.TryDestroy(new IoasId(42)), Is.EqualTo(Errno.ENOENT));
        Assert.That(Context.TryDestroy(0), Is.EqualTo(Errno.ENOENT));
        var e = Assert.Throws<IommuFdException>(() => Context.Destroy(new HwptId(42)));
        Assert.That(e!.Message, Is.EqualTo("IOMMU_DESTROY failed: ENOENT (2)"));
    }

    [Test]
    public void Destroy_of_an_IOAS_twice_is_ENOENT_the_second_time()
    {
        Ioas ioas = Context.CreateIoas();
        Assert.That(ioas.TryDestroy(), Is.EqualTo(Errno.None));
        Assert.That(ioas.TryDestroy(), Is.EqualTo(Errno.ENOENT));
    }

    [Test]
    public void The_VFIO_compat_IOAS_is_unset_until_set_and_unset_again_after_clear()
    {
        Assert.That(Context.TryGetVfioIoas(out _), Is.EqualTo(Errno.ENODEV));
        Ioas ioas = Context.CreateIoas();
        Context.SetVfioIoas(ioas.Id);
        Assert.That(Context.GetVfioIoas(), Is.EqualTo(ioas.Id));
        Context.ClearVfioIoas();
        Assert.That(Context.TryGetVfioIoas(out _), Is.EqualTo(Errno.ENODEV));
        Assert.That(ioas.TryDestroy(), Is.EqualTo(Errno.None), "CLEAR does not destroy the IOAS");
    }

    [Test]
    public void Setting_a_missing_IOAS_as_compat_IOAS_is_ENOENT()
    {
        Assert.That(Context.TrySetVfioIoas(new IoasId(9)), Is.EqualTo(Errno.ENOENT));
    }

    [Test]
    public void Destroying_the_compat_IOAS_unsets_it()
    {
        Ioas ioas = Context.CreateIoas();
        Context.SetVfioIoas(ioas.Id);
        ioas.Destroy();
        Assert.That(Context.TryGetVfioIoas(out _), Is.EqualTo(Errno.ENODEV));
    }

    [Test]
    public void Dev_iommu_accounts_per_user_by_default()
    {
        Assert.That(Context.GetAccountMode(), Is.EqualTo(AccountMode.User));
    }

    [Test]
    public void RLIMIT_MODE_with_an_object_id_and_unknown_options_are_EOPNOTSUPP()
    {
        ulong value = 0;
        Assert.That(Context.TryOption((uint)Interop.Iommufd.IOMMU_OPTION_RLIMIT_MODE, (ushort)Interop.Iommufd.IOMMU_OPTION_OP_GET, 1, ref value),
                    Is.EqualTo(Errno.EOPNOTSUPP));
        Assert.That(Context.TryOption(77, (ushort)Interop.Iommufd.IOMMU_OPTION_OP_GET, 0, ref value), Is.EqualTo(Errno.EOPNOTSUPP));
    }

    [Test]
    public void Huge_pages_of_a_missing_IOAS_is_ENOENT()
    {
        Assert.That(Context.OpenIoas(new IoasId(0)).TryGetHugePages(out _), Is.EqualTo(Errno.ENOENT));
    }
}

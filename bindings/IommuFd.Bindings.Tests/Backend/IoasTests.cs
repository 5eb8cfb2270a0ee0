namespace IommuFd.Bindings.Tests.Backend;

/// <summary>Map, unmap, copy and IOVA ranges of an IOAS without any domain.</summary>
public class IoasTests(BackendKind backend) : ContextFixture(backend)
{
    [Test]
    public void An_empty_IOAS_offers_the_whole_64_bit_space_with_alignment_1()
    {
        IovaRanges ranges = Context.CreateIoas().GetIovaRanges();
        Assert.That(ranges.Ranges, Is.EqualTo(new[] { new IovaRange(0, ulong.MaxValue) }));
        Assert.That(ranges.Alignment, Is.EqualTo(1));
    }

    [Test]
    public void An_automatic_IOVA_is_never_below_PAGE_SIZE_and_keeps_the_buffers_page_offset()
    {
        Ioas ioas = Context.CreateIoas();
        var memory = Memory(4 * PageSize);

        ulong iova = ioas.Map(memory.Address, PageSize);
        ulong offsetIova = ioas.Map(memory.Address + 0x100, 0x100);

        Assert.That(iova, Is.GreaterThanOrEqualTo(PageSize));
        Assert.That(iova % PageSize, Is.Zero);
        Assert.That(offsetIova % PageSize, Is.EqualTo(0x100));
    }

    [Test]
    public void A_fixed_map_over_an_existing_one_is_EEXIST()
    {
        Ioas ioas = Context.CreateIoas();
        var memory = Memory(2 * PageSize);
        ioas.MapFixed(0x100000, memory.Address, 2 * PageSize);

        Assert.That(ioas.TryMapFixed(0x100000 + PageSize, memory.Address, PageSize), Is.EqualTo(Errno.EEXIST));
        var e = Assert.Throws<IommuFdException>(() => ioas.MapFixed(0x100000, memory.Address, PageSize));
        Assert.That(e!.Errno, Is.EqualTo(Errno.EEXIST));
        Assert.That(e.Operation, Is.EqualTo("IOMMU_IOAS_MAP"));
    }

    [Test]
    public void A_map_without_read_or_write_is_EINVAL_and_unknown_flags_are_EOPNOTSUPP()
    {
        Ioas ioas = Context.CreateIoas();
        var memory = Memory(PageSize);
        Assert.That(ioas.TryMap(memory.Address, PageSize, IoasMapFlags.None, out _), Is.EqualTo(Errno.EINVAL));
        ulong iova = 0;
        Assert.That(ioas.TryMapRaw(memory.Address, PageSize, IoasMapFlags.ReadWrite | (IoasMapFlags)0x100, ref iova), Is.EqualTo(Errno.EOPNOTSUPP));
    }

    [Test]
    public void A_zero_length_map_is_EINVAL()
    {
        Ioas ioas = Context.CreateIoas();
        Assert.That(ioas.TryMap(Memory(PageSize).Address, 0, IoasMapFlags.ReadWrite, out _), Is.EqualTo(Errno.EINVAL));
    }

    [Test]
    public void Unmap_removes_whole_mappings_only_and_reports_the_bytes()
    {
        Ioas ioas = Context.CreateIoas();
        var memory = Memory(4 * PageSize);
        ioas.MapFixed(0x200000, memory.Address, 2 * PageSize);
        ioas.MapFixed(0x200000 + 2 * PageSize, memory.Address + 2 * PageSize, 2 * PageSize);

        Assert.That(ioas.TryUnmap(0x200000, PageSize, out _), Is.EqualTo(Errno.ENOENT), "partial overlap");
        Assert.That(ioas.TryUnmap(0x900000, PageSize, out _), Is.EqualTo(Errno.ENOENT), "nothing there");
        Assert.That(ioas.Unmap(0x200000, 4 * PageSize), Is.EqualTo(4 * PageSize));
        Assert.That(ioas.TryUnmap(0x200000, 4 * PageSize, out _), Is.EqualTo(Errno.ENOENT), "already gone");
    }

    [Test]
    public void UnmapAll_succeeds_on_an_empty_IOAS_and_counts_every_byte_otherwise()
    {
        Ioas ioas = Context.CreateIoas();
        Assert.That(ioas.UnmapAll(), Is.Zero);
        var memory = Memory(3 * PageSize);
        ioas.Map(memory.Address, PageSize);
        ioas.Map(memory.Address + PageSize, 2 * PageSize);
        Assert.That(ioas.UnmapAll(), Is.EqualTo(3 * PageSize));
        Assert.That(ioas.UnmapAll(), Is.Zero);
    }

    [Test]
    public void Unmap_with_a_zero_length_is_EINVAL_and_of_a_missing_IOAS_is_ENOENT()
    {
        Ioas ioas = Context.CreateIoas();
        Assert.That(ioas.TryUnmap(0x1000, 0, out _), Is.EqualTo(Errno.EINVAL));
        Assert.That(Context.OpenIoas(new IoasId(99)).TryUnmap(0x1000, 0, out _), Is.EqualTo(Errno.ENOENT), "the IOAS is looked up first");
    }

    [Test]
    public void Copy_maps_the_same_memory_into_another_IOAS()
    {
        Ioas source = Context.CreateIoas();
        Ioas destination = Context.CreateIoas();
        var memory = Memory(2 * PageSize);
        source.MapFixed(0x400000, memory.Address, 2 * PageSize);

        destination.CopyFromFixed(source.Id, 0x400000, 0x800000, 2 * PageSize);
        ulong automatic = destination.CopyFrom(source.Id, 0x400000 + PageSize, PageSize);

        Assert.That(automatic, Is.GreaterThanOrEqualTo(PageSize));
        Assert.That(destination.Unmap(0x800000, 2 * PageSize), Is.EqualTo(2 * PageSize));
        Assert.That(destination.Unmap(automatic, PageSize), Is.EqualTo(PageSize));
    }

    [Test]
    public void Copying_a_range_that_is_not_mapped_is_ENOENT()
    {
        Ioas source = Context.CreateIoas();
        Ioas destination = Context.CreateIoas();
        ulong iova = 0;
        Assert.That(destination.TryCopyRaw(source.Id, 0x400000, PageSize, IoasMapFlags.ReadWrite, ref iova), Is.EqualTo(Errno.ENOENT));
    }

    [Test]
    public void Automatic_IOVAs_stay_inside_the_allowed_ranges()
    {
        Ioas ioas = Context.CreateIoas();
        ulong start = 0x1000_0000, last = 0x1000_0000 + 16 * PageSize - 1;
        ioas.AllowIovas([new IovaRange(start, last)]);
        var memory = Memory(2 * PageSize);

        ulong iova = ioas.Map(memory.Address, 2 * PageSize);

        Assert.That(iova, Is.InRange(start, last - 2 * PageSize + 1));
        Assert.That(ioas.GetIovaRanges().Ranges, Is.EqualTo(new[] { new IovaRange(0, ulong.MaxValue) }),
                    "allowed ranges do not change IOVA_RANGES, only reserved ones do");
    }

    [Test]
    public void Huge_pages_are_on_by_default_and_can_be_turned_off()
    {
        Ioas ioas = Context.CreateIoas();
        Assert.That(ioas.GetHugePages(), Is.True);
        ioas.SetHugePages(false);
        Assert.That(ioas.GetHugePages(), Is.False);
        Assert.That(ioas.GetIovaRanges().Alignment, Is.EqualTo(PageSize), "no large pages means PAGE_SIZE alignment");
        Assert.That(ioas.TrySetHugePages(true), Is.EqualTo(Errno.None));
        Assert.That(ioas.GetIovaRanges().Alignment, Is.EqualTo(1));
    }
}

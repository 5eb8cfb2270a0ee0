using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>7.3's iommufd_viommu fixture (viommu.c, eventq.c, selftest.c), every TEST_F case and variant
/// that does not SKIP, from conformance/traces/mockdomain/viommu-* and (no_viommu, no device)
/// selftest/viommu-* (MockDomainTraces.Viommu): vIOMMU,
/// vDEVICE, vEVENT queue and HW queue allocation, the vIOMMU's invalidation and events, and what each
/// object holds. In the mock_viommu variant the fixture's IOAS is 1, the selftest device 2, the device 3,
/// its automatic HWPT 4, the nesting parent 5, the vIOMMU 6 and the nested HWPT 7. The checks are shared
/// with <see cref="Library.ViommuEngineTests"/>, which replays the traces on the engine as 7.3 anywhere.</summary>
public sealed class ViommuTests(BackendKind backend) : MockDomainFixture(backend)
{
    [TestCase("no_viommu")]
    [TestCase("mock_viommu")]
    public void AutoDestroy(string variant) => ViommuChecks.AutoDestroy(Replay($"{ViommuChecks.Folder(variant)}/viommu-auto-destroy-{variant}"));

    [TestCase("no_viommu")]
    [TestCase("mock_viommu")]
    public void NegativeTests(string variant) => ViommuChecks.NegativeTests(Replay($"{ViommuChecks.Folder(variant)}/viommu-negative-tests-{variant}"), variant);

    [Test]
    public void AllocNestedIopf() => ViommuChecks.AllocNestedIopf(Replay("mockdomain/viommu-alloc-nested-iopf-mock_viommu"));

    [Test]
    public void AllocWithData() => ViommuChecks.AllocWithData(Replay("mockdomain/viommu-alloc-with-data-mock_viommu"));

    [TestCase("no_viommu")]
    [TestCase("mock_viommu")]
    public void VdeviceAlloc(string variant) => ViommuChecks.VdeviceAlloc(Replay($"{ViommuChecks.Folder(variant)}/viommu-vdevice-alloc-{variant}"), variant);

    [Test]
    public void VdeviceCache() => ViommuChecks.VdeviceCache(Replay("mockdomain/viommu-vdevice-cache-mock_viommu"));

    [Test]
    public void HwQueue() => ViommuChecks.HwQueue(Replay("mockdomain/viommu-hw-queue-mock_viommu"));

    [Test]
    public void VdeviceTombstone() => ViommuChecks.VdeviceTombstone(Replay("mockdomain/viommu-vdevice-tombstone-mock_viommu"));
}

/// <summary>What the viommu-* traces must answer on a 7.3 kernel.</summary>
internal static class ViommuChecks
{
    private const int EventSize = 4; // struct iommu_viommu_event_selftest {virt_id}

    /// <summary>Where a variant's traces are: no_viommu makes no mock device.</summary>
    public static string Folder(string variant) => variant == "no_viommu" ? "selftest" : "mockdomain";

    public static void AutoDestroy(ReplayResults r) => Assert.Multiple(() => AllSucceed(r, from: "ioas"));

    public static void NegativeTests(ReplayResults r, string variant) => Assert.Multiple(() =>
    {
        if (variant == "no_viommu")
        {
            Fails(r["no_device"], Errno.ENOENT);
            return;
        }
        AllSucceed(r, from: "ioas", until: "nested");
        FieldIs(r["viommu"], "out_viommu_id", 6);
        FieldIs(r["nested"], "out_hwpt_id", 7);
        Fails(r["hwpt_zero"], Errno.ENOENT);
        Succeeds(r["not_parent"]);
        Fails(r["on_not_parent"], Errno.EINVAL);      // not a nesting parent
        Fails(r["type_dead"], Errno.EOPNOTSUPP);      // the mock driver has only the SELFTEST type
        Fails(r["parent_busy"], Errno.EBUSY);         // the vIOMMU holds its parent
        Fails(r["viommu_busy"], Errno.EBUSY);         // the nested HWPT holds the vIOMMU
        Fails(r["type_default"], Errno.EOPNOTSUPP);
        Fails(r["flags"], Errno.EOPNOTSUPP);
        Fails(r["ioas_as_device"], Errno.ENOENT);
        Fails(r["viommu_as_parent"], Errno.ENOENT);   // the parent must be a paging HWPT
        AllSucceed(r, from: "teardown_close");
    });

    public static void AllocNestedIopf(ReplayResults r) => Assert.Multiple(() =>
    {
        FieldIs(r["fault_alloc"], "out_fault_id", 8);
        Fails(r["iopf_bad_fault_id"], Errno.ENOENT);
        Fails(r["iopf_bad_flags"], Errno.EOPNOTSUPP);
        FieldIs(r["iopf_hwpt"], "out_hwpt_id", 9);    // the failed allocations freed their IDs
        Fails(r["replace_without_vdevice"], Errno.ENOENT);  // a vIOMMU's nested domain needs the device's vDEVICE
        FieldIs(r["vdevice"], "out_vdevice_id", 10);
        Succeeds(r["to_iopf"]);
        Fails(r["iopf_busy"], Errno.EBUSY);
        Succeeds(r["trigger_iopf"]);
        Succeeds(r["read_fault"], 40);
        Assert.That(Words(r["read_fault"]), Is.EqualTo(new ulong[] { 3 | (3UL << 32), 1 | (2UL << 32), 3, 0xdeadbeaf, 1UL << 32 }));
        Succeeds(r["respond"], 8);
        AllSucceed(r, from: "to_ioas");
    });

    public static void AllocWithData(ReplayResults r) => Assert.Multiple(() =>
    {
        FieldIs(r["with_data"], "out_viommu_id", 8);
        // out_data = in_data, then the mmap offset (the first free range from the second page) and length.
        Assert.That(Words(r["data_back"]), Is.EqualTo(new ulong[] { 0xbeef | (0xbeefUL << 32), 4096, 8192 }));
        FieldIs(r["second_with_data"], "out_viommu_id", 9);
        Assert.That(Words(r["second_data_back"])[1], Is.EqualTo(4096UL + 8192));
        Fails(r["data_short"], Errno.EINVAL);         // below offsetofend(out_data)
        Fails(r["data_long"], Errno.EINVAL);          // longer than the driver's struct
        Fails(r["data_null"], Errno.EFAULT);
        Succeeds(r["unmapped_owner_free"]);           // nothing maps its region, so nothing holds it
        FieldIs(r["reuses_offset"], "out_viommu_id", 8);
        Assert.That(Words(r["third_data_back"])[1], Is.EqualTo(4096UL));
        AllSucceed(r, from: "teardown_close");
    });

    public static void VdeviceAlloc(ReplayResults r, string variant) => Assert.Multiple(() =>
    {
        if (variant == "no_viommu")
        {
            Fails(r["no_viommu"], Errno.ENOENT);
            return;
        }
        Fails(r["replace_without_vdevice"], Errno.ENOENT);
        Fails(r["depth_zero"], Errno.EINVAL);
        Fails(r["depth_over_max"], Errno.EINVAL);
        FieldIs(r["depth_max"], "out_veventq_id", 8);
        Succeeds(r["destroy_max"]);
        FieldIs(r["veventq"], "out_veventq_id", 8);
        Fails(r["veventq_same_type"], Errno.EEXIST);  // one queue per type per vIOMMU
        Fails(r["read_zero_empty"], Errno.EINVAL);     // less than a header
        Fails(r["read_short_empty"], Errno.EINVAL);
        FieldIs(r["vdevice_99"], "out_vdevice_id", 9);
        Succeeds(r["trigger_1"]);
        Fails(r["read_zero_pending"], Errno.EINVAL);
        Fails(r["read_header_only"], Errno.EINVAL);    // the header fits, the event's data does not
        Succeeds(r["read_1"], 12);
        Assert.That(Vevents(r["read_1"], EventSize), Has.Count.EqualTo(1));
        AssertEvent(Vevents(r["read_1"], EventSize)[0], sequence: 0, virtId: 0x99);
        Fails(r["vdevice_again"], Errno.EEXIST);       // one vDEVICE per device
        Succeeds(r["vdevice_99_free"]);
        FieldIs(r["vdevice_88"], "out_vdevice_id", 9);
        // Depth 2: the third event is dropped and the lost-events header (no data) takes the next sequence number.
        Succeeds(r["read_overflow"], 12 + 12 + 8);
        IReadOnlyList<IommuFd.Bindings.Vevent> overflow = Vevents(r["read_overflow"], EventSize);
        Assert.That(overflow, Has.Count.EqualTo(3));
        AssertEvent(overflow[0], sequence: 1, virtId: 0x88);
        AssertEvent(overflow[1], sequence: 2, virtId: 0x88);
        Assert.That((overflow[2].LostEvents, overflow[2].Sequence, overflow[2].Data.Length), Is.EqualTo((true, 3u, 0)));
        Succeeds(r["read_after_overflow"], 12);
        AssertEvent(Vevents(r["read_after_overflow"], EventSize)[0], sequence: 4, virtId: 0x88);
        AllSucceed(r, from: "close_veventq");
    });

    private static void AssertEvent(IommuFd.Bindings.Vevent vevent, uint sequence, uint virtId) =>
        Assert.That((vevent.LostEvents, vevent.Sequence, BitConverter.ToUInt32(vevent.Data)), Is.EqualTo((false, sequence, virtId)));

    public static void VdeviceCache(ReplayResults r) => Assert.Multiple(() =>
    {
        FieldIs(r["vdevice"], "out_vdevice_id", 8);
        AllSucceed(r, from: "default_0", until: "zero_entries");
        FieldIs(r["zero_entries"], "entry_num", 0);
        foreach (string step in new[] { "bad_type", "entry_len_13", "entry_len_1", "null_uptr", "entry_len_0", "bad_cache_id", "bad_vdev_id" })
        {
            Fails(r[step], Errno.EINVAL);
            FieldIs(r[step], "entry_num", 0);
        }
        Fails(r["bad_flags"], Errno.EOPNOTSUPP);
        Fails(r["second_bad_flags"], Errno.EOPNOTSUPP);
        FieldIs(r["second_bad_flags"], "entry_num", 1); // the first entry was applied
        Fails(r["second_bad_cache_id"], Errno.EINVAL);
        FieldIs(r["second_bad_cache_id"], "entry_num", 1);
        FieldIs(r["third_fourth"], "entry_num", 2);
        AllSucceed(r, from: "after_first_0", until: "after_first_3");
        AllSucceed(r, from: "still_first_0", until: "after_flag_all_3");
        Fails(r["cache_id_over_max"], Errno.EINVAL);
        AllSucceed(r, from: "vdevice_free");
    });

    public static void HwQueue(ReplayResults r) => Assert.Multiple(() =>
    {
        Fails(r["type_default"], Errno.EOPNOTSUPP);
        Fails(r["length_zero"], Errno.EINVAL);
        Fails(r["overflow"], Errno.EOVERFLOW);
        Fails(r["not_mapped"], Errno.ENOENT);
        Fails(r["index_1_first"], Errno.EIO);         // queues start at index 0
        Fails(r["index_max"], Errno.EINVAL);
        FieldIs(r["queue_0"], "out_hw_queue_id", 8);
        Fails(r["queue_0_again"], Errno.EEXIST);
        Fails(r["unmap_pinned"], Errno.EBUSY);        // the queue's internal access locks the page
        Succeeds(r["unmap_second"]);
        Fails(r["internal_access_busy"], Errno.EBUSY); // the access has an ID, held by its queue
        FieldIs(r["queue_1_unaligned"], "out_hw_queue_id", 10);
        Fails(r["queue_0_busy"], Errno.EBUSY);        // queue 1 depends on queue 0
        Fails(r["viommu_busy"], Errno.EBUSY);
        AllSucceed(r, from: "queue_1_free");
    });

    public static void VdeviceTombstone(ReplayResults r) => Assert.Multiple(() =>
    {
        FieldIs(r["vdevice"], "out_vdevice_id", 8);
        Succeeds(r["stdev_free"]);
        Fails(r["vdevice_tombstone"], Errno.ENOENT);   // destroyed with the device, its ID left reserved
        FieldIs(r["next_ioas_0"], "out_ioas_id", 2);
        FieldIs(r["next_ioas_3"], "out_ioas_id", 9);   // 8 stays a tombstone
        Succeeds(r["nested_free"]);
        Succeeds(r["viommu_free"]);
        AllSucceed(r, from: "teardown_close");
    });
}

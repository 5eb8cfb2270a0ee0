using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The device branch of the 6.12 selftest iommufd_ioas.alloc_hwpt_nested (mock_domain variant)
/// without its fault queue: nested HWPTs on a NEST_PARENT paging HWPT, their mock IOTLB entries,
/// IOMMU_HWPT_INVALIDATE and the attach/replace/destroy order, from mockdomain/alloc-hwpt-nested
/// (MockDomainTraces). The fault queue and IOPF part: FaultQueueTests.</summary>
public sealed class NestedHwptTests(BackendKind backend) : MockDomainFixture(backend)
{
    private const ulong IotlbDefault = 0xbadbeef;

    [Test]
    public void AllocationChecksAndIotlb()
    {
        var r = Replay("mockdomain/alloc-hwpt-nested");
        Assert.Multiple(() =>
        {
            Fails(r["ioas_as_device"], Errno.ENOENT);                 // dev_id names an IOAS
            Fails(r["device_as_pt"], Errno.EINVAL);                   // pt_id names a device
            Fails(r["nest_parent_with_fault_id"], Errno.EOPNOTSUPP);  // a paging HWPT takes no FAULT_ID_VALID
            Succeeds(r["parent"]);
            Succeeds(r["parent_not_work"]);
            Fails(r["data_none"], Errno.EINVAL);                      // IOMMU_HWPT_DATA_NONE with a length
            Fails(r["data_type_plus_one"], Errno.EOPNOTSUPP);         // unknown data type
            Fails(r["data_len_short"], Errno.EINVAL);                 // data_len 3
            // data_len 5: 6.12's struct is 4 bytes, longer is EINVAL (not E2BIG); 7.3's iommu_hwpt_selftest
            // is 8 bytes and takes it zero-extended (__mock_domain_alloc_nested, selftest.c:353), so a
            // nested HWPT is made and held to the end
            if (Kernel.AtLeast(7, 3))
                Succeeds(r["data_len_long"]);
            else
                Fails(r["data_len_long"], Errno.EINVAL);
            Fails(r["data_len_page"], Errno.EINVAL);
            Fails(r["data_null"], Errno.EFAULT);
            Fails(r["nested_nest_parent"], Errno.EOPNOTSUPP);         // NEST_PARENT on a nested HWPT
            Fails(r["parent_without_nest_parent"], Errno.EINVAL);     // parent without NEST_PARENT
            Fails(r["parent_automatic"], Errno.EINVAL);               // automatic parent
            Succeeds(r["nested0"]);
            FieldIs(r["nested0"], "out_hwpt_id", Kernel.AtLeast(7, 3) ? 8UL : 7UL);  // the failed allocations freed their IDs (7.3: data_len_long took 7)
            Succeeds(r["nested1"]);
            FieldIs(r["nested1"], "out_hwpt_id", Kernel.AtLeast(7, 3) ? 9UL : 8UL);
            Fails(r["bad_fault_id"], Errno.ENOENT);                   // no fault queue of that ID
            Fails(r["fault_id_names_a_hwpt"], Errno.ENOENT);          // a HWPT is no fault queue
            for (int k = 0; k < 4; k++)
            {
                Succeeds(r[$"iotlb0_{k}"]);  // every IOTLB entry holds the allocation's value
                Succeeds(r[$"iotlb1_{k}"]);
            }
            Fails(r["iotlb_id_past_max"], Errno.EINVAL);    // iotlb id past MOCK_NESTED_DOMAIN_IOTLB_ID_MAX
            Fails(r["iotlb_other_value"], Errno.EINVAL);    // another value
            Fails(r["iotlb_on_paging"], Errno.ENOENT);      // MD_CHECK_IOTLB wants a nested HWPT
            Fails(r["check_map_on_nested"], Errno.ENOENT);  // MD_CHECK_MAP wants a paging HWPT
            Fails(r["nested_on_nested"], Errno.EINVAL);     // nested on nested
            Fails(r["parent_busy"], Errno.EBUSY);           // the parent is held by its nested HWPTs
        });
    }

    [Test]
    public void Invalidation()
    {
        var r = Replay("mockdomain/alloc-hwpt-nested");
        Assert.Multiple(() =>
        {
            // a paging HWPT takes no invalidation: 7.3 looks up any object, then EINVAL for a non-nested
            // one (iommufd_hwpt_invalidate, hw_pagetable.c:537)
            Fails(r["inv_on_paging"], Kernel.AtLeast(7, 3) ? Errno.EINVAL : Errno.ENOENT);
            FieldIs(r["inv_on_paging"], "entry_num", 0);
            Succeeds(r["inv_zero_entries"]);  // no entries: only the data type is checked
            Succeeds(r["inv_zero_entries_no_array"]);  // no entries need no array
            Fails(r["inv_zero_entries_bad_type"], Errno.EINVAL);  // a wrong type fails even with no entries
            Fails(r["inv_bad_type"], Errno.EINVAL);
            FieldIs(r["inv_bad_type"], "entry_num", 0);
            Fails(r["inv_entry_len_plus_one"], Errno.EINVAL);  // entry_len must be exactly 8 ...
            Fails(r["inv_entry_len_one"], Errno.EINVAL);
            Fails(r["inv_entry_len_page_plus_one"], Errno.EINVAL);  // ... past PAGE_SIZE before the lookup
            Fails(r["inv_entry_len_page"], Errno.EINVAL);  // ... PAGE_SIZE in the driver
            Fails(r["inv_too_many"], Errno.EINVAL);  // more than 1 << 19 entries
            Fails(r["inv_reserved"], Errno.EOPNOTSUPP);  // __reserved first
            Fails(r["inv_reserved_and_null"], Errno.EOPNOTSUPP);
            Fails(r["inv_bad_flags"], Errno.EOPNOTSUPP);  // unknown entry flags
            Fails(r["inv_null_array"], Errno.EINVAL);  // no array for one entry
            Fails(r["inv_zero_entry_len"], Errno.EINVAL);
            Fails(r["inv_bad_iotlb_id"], Errno.EINVAL);  // iotlb_id 4
            Fails(r["inv_all_bad_iotlb_id"], Errno.EINVAL);  // iotlb_id 4 with FLAG_ALL: still checked
            Fails(r["inv_unmapped"], Errno.EFAULT);
            FieldIs(r["inv_unmapped"], "entry_num", 0);
            Fails(r["inv_second_bad_flags"], Errno.EOPNOTSUPP);  // the second entry fails after the first is applied
            FieldIs(r["inv_second_bad_flags"], "entry_num", 1);
            Succeeds(r["after_partial_0"]);  // entry 0 cleared
            Succeeds(r["after_partial_1"]);  // entry 1 kept
            Fails(r["inv_second_bad_id"], Errno.EINVAL);
            FieldIs(r["inv_second_bad_id"], "entry_num", 1);
            Succeeds(r["inv_1"]);
            FieldIs(r["inv_1"], "entry_num", 1);
            Succeeds(r["after_inv_1"]);
            Succeeds(r["after_inv_1_2"]);
            Succeeds(r["inv_2_3"]);
            FieldIs(r["inv_2_3"], "entry_num", 2);
            for (int k = 0; k < 4; k++)
                Succeeds(r[$"all_clear0_{k}"]);
            Succeeds(r["inv_all"]);          // FLAG_ALL clears every entry
            for (int k = 0; k < 4; k++)
                Succeeds(r[$"all_clear1_{k}"]);
        });
    }

    [Test]
    public void AttachReplaceAndDestroyOrder()
    {
        var r = Replay("mockdomain/alloc-hwpt-nested");
        Assert.Multiple(() =>
        {
            Succeeds(r["to_nested0"]);       // replace onto nested0
            Fails(r["nested0_busy"], Errno.EBUSY);  // held by the device
            Fails(r["parent_busy_attached"], Errno.EBUSY);
            Succeeds(r["to_nested1"]);
            Fails(r["nested1_busy"], Errno.EBUSY);
            Succeeds(r["nested0_free"]);     // nested0 is free once the device left it
            Succeeds(r["second_device_on_nested"]);  // MOCK_DOMAIN attaches a new device to a nested HWPT
            FieldIs(r["second_device_on_nested"], "mock_domain.out_hwpt_id", Kernel.AtLeast(7, 3) ? 9UL : 8UL);  // nested1
            Succeeds(r["second_device_gone"]);
            Succeeds(r["to_parent"]);        // back to the parent
            Succeeds(r["nested1_free"]);
            Succeeds(r["to_ioas"]);
            // the parent is free with no nested HWPT on it; on 7.3 data_len_long's nested HWPT still holds it
            if (Kernel.AtLeast(7, 3))
                Fails(r["parent_free"], Errno.EBUSY);
            else
                Succeeds(r["parent_free"]);
            Succeeds(r["parent_not_work_free"]);
            Succeeds(r["next_id"]);
        });
    }
}

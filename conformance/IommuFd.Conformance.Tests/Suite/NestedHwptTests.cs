using IommuFd.Conformance.Tests.Support;
using static IommuFd.Conformance.Tests.Support.StepAssert;

namespace IommuFd.Conformance.Tests.Suite;

/// <summary>The device branch of the 6.12 selftest iommufd_ioas.alloc_hwpt_nested (mock_domain variant)
/// without its fault queue: nested HWPTs on a NEST_PARENT paging HWPT, their mock IOTLB entries,
/// IOMMU_HWPT_INVALIDATE and the attach/replace/destroy order, from mockdomain/alloc-hwpt-nested (step
/// numbers printed by conformance/tools/tracegen.py). The fault queue and IOPF part: FaultQueueTests.</summary>
public sealed class NestedHwptTests(BackendKind backend) : MockDomainFixture(backend)
{
    private const ulong IotlbDefault = 0xbadbeef;

    [Test]
    public void AllocationChecksAndIotlb()
    {
        var r = Replay("mockdomain/alloc-hwpt-nested");
        Assert.Multiple(() =>
        {
            Fails(r[7], Errno.ENOENT);       // dev_id names an IOAS
            Fails(r[8], Errno.EINVAL);       // pt_id names a device
            Fails(r[9], Errno.EOPNOTSUPP);   // a paging HWPT takes no FAULT_ID_VALID
            Succeeds(r[10]);
            Succeeds(r[11]);
            Fails(r[12], Errno.EINVAL);      // IOMMU_HWPT_DATA_NONE with a length
            Fails(r[13], Errno.EOPNOTSUPP);  // unknown data type
            Fails(r[14], Errno.EINVAL);      // data_len 3
            Fails(r[15], Errno.EINVAL);      // data_len 5: longer than the struct is EINVAL, not E2BIG
            Fails(r[16], Errno.EINVAL);
            Fails(r[17], Errno.EFAULT);
            Fails(r[18], Errno.EOPNOTSUPP);  // NEST_PARENT on a nested HWPT
            Fails(r[19], Errno.EINVAL);      // parent without NEST_PARENT
            Fails(r[20], Errno.EINVAL);      // automatic parent
            Succeeds(r[21]);
            FieldIs(r[21], "out_hwpt_id", 7); // the failed allocations freed their IDs
            Succeeds(r[23]);
            FieldIs(r[23], "out_hwpt_id", 8);
            Fails(r[24], Errno.ENOENT);      // no fault queue of that ID
            Fails(r[25], Errno.ENOENT);      // a HWPT is no fault queue
            for (int k = 26; k <= 33; k++)
                Succeeds(r[k]);              // every IOTLB entry holds the allocation's value
            Fails(r[34], Errno.EINVAL);      // iotlb id past MOCK_NESTED_DOMAIN_IOTLB_ID_MAX
            Fails(r[35], Errno.EINVAL);      // another value
            Fails(r[36], Errno.ENOENT);      // MD_CHECK_IOTLB wants a nested HWPT
            Fails(r[37], Errno.ENOENT);      // MD_CHECK_MAP wants a paging HWPT
            Fails(r[38], Errno.EINVAL);      // nested on nested
            Fails(r[39], Errno.EBUSY);       // the parent is held by its nested HWPTs
        });
    }

    [Test]
    public void Invalidation()
    {
        var r = Replay("mockdomain/alloc-hwpt-nested");
        Assert.Multiple(() =>
        {
            Fails(r[40], Errno.ENOENT);      // a paging HWPT takes no invalidation
            FieldIs(r[40], "entry_num", 0);
            Succeeds(r[41]);                 // no entries: only the data type is checked
            Succeeds(r[42]);                 // no entries need no array
            Fails(r[43], Errno.EINVAL);      // a wrong type fails even with no entries
            Fails(r[44], Errno.EINVAL);
            FieldIs(r[44], "entry_num", 0);
            Fails(r[45], Errno.EINVAL);      // entry_len must be exactly 8 ...
            Fails(r[46], Errno.EINVAL);
            Fails(r[47], Errno.EINVAL);      // ... past PAGE_SIZE before the lookup
            Fails(r[48], Errno.EINVAL);      // ... PAGE_SIZE in the driver
            Fails(r[49], Errno.EINVAL);      // more than 1 << 19 entries
            Fails(r[50], Errno.EOPNOTSUPP);  // __reserved first
            Fails(r[51], Errno.EOPNOTSUPP);
            Fails(r[53], Errno.EOPNOTSUPP);  // unknown entry flags
            Fails(r[54], Errno.EINVAL);      // no array for one entry
            Fails(r[55], Errno.EINVAL);
            Fails(r[57], Errno.EINVAL);      // iotlb_id 4
            Fails(r[59], Errno.EINVAL);      // iotlb_id 4 with FLAG_ALL: still checked
            Fails(r[60], Errno.EFAULT);
            FieldIs(r[60], "entry_num", 0);
            Fails(r[62], Errno.EOPNOTSUPP);  // the second entry fails after the first is applied
            FieldIs(r[62], "entry_num", 1);
            Succeeds(r[63]);                 // entry 0 cleared
            Succeeds(r[64]);                 // entry 1 kept
            Fails(r[66], Errno.EINVAL);
            FieldIs(r[66], "entry_num", 1);
            Succeeds(r[68]);
            FieldIs(r[68], "entry_num", 1);
            Succeeds(r[69]);
            Succeeds(r[70]);
            Succeeds(r[72]);
            FieldIs(r[72], "entry_num", 2);
            for (int k = 73; k <= 76; k++)
                Succeeds(r[k]);
            Succeeds(r[78]);                 // FLAG_ALL clears every entry
            for (int k = 79; k <= 82; k++)
                Succeeds(r[k]);
        });
    }

    [Test]
    public void AttachReplaceAndDestroyOrder()
    {
        var r = Replay("mockdomain/alloc-hwpt-nested");
        Assert.Multiple(() =>
        {
            Succeeds(r[83]);                 // replace onto nested0
            Fails(r[84], Errno.EBUSY);       // held by the device
            Fails(r[85], Errno.EBUSY);
            Succeeds(r[86]);
            Fails(r[87], Errno.EBUSY);
            Succeeds(r[88]);                 // nested0 is free once the device left it
            Succeeds(r[89]);                 // MOCK_DOMAIN attaches a new device to a nested HWPT
            FieldIs(r[89], "mock_domain.out_hwpt_id", 8);
            Succeeds(r[90]);
            Succeeds(r[91]);                 // back to the parent
            Succeeds(r[92]);
            Succeeds(r[93]);
            Succeeds(r[94]);                 // the parent is free with no nested HWPT on it
            Succeeds(r[95]);
            Succeeds(r[96]);
        });
    }
}

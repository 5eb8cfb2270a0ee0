using IommuFd.Bindings.Tests.Fakes;
using IommuFd.Interop;

namespace IommuFd.Bindings.Tests.Layer;

/// <summary>The selftest wrappers fill the right arm of <c>struct iommu_test_cmd</c>.</summary>
[TestFixture]
public unsafe class SelftestLayerTests
{
    private ScriptedBackend _backend = null!;
    private IommufdContext _context = null!;

    [SetUp]
    public void SetUp()
    {
        _backend = new ScriptedBackend();
        _context = IommufdContext.Open(_backend);
    }

    [TearDown]
    public void TearDown()
    {
        _context.Dispose();
        _backend.Dispose();
    }

    [Test]
    public void MockDomain_sends_the_pt_id_and_reads_the_three_ids()
    {
        iommu_test_cmd seen = default;
        _backend.OnIoctl = (_, request, p) =>
        {
            Assert.That(request, Is.EqualTo(IommufdTest.IOMMU_TEST_CMD));
            seen = Arg.As<iommu_test_cmd>(p);
            ref iommu_test_cmd cmd = ref Arg.As<iommu_test_cmd>(p);
            cmd.mock_domain.out_stdev_id = 2;
            cmd.mock_domain.out_hwpt_id = 3;
            cmd.mock_domain.out_idev_id = 4;
            return 0;
        };

        MockDomain domain = _context.Selftest.MockDomain(new IoasId(1));

        Assert.That(domain, Is.EqualTo(new MockDomain(new SelftestId(2), new HwptId(3), new DeviceId(4))));
        Assert.That((seen.size, seen.op, seen.id),
                    Is.EqualTo(((uint)sizeof(iommu_test_cmd), (uint)IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN, 1u)));
    }

    [Test]
    public void AddReserved_fills_start_and_length()
    {
        iommu_test_cmd seen = default;
        _backend.OnIoctl = (_, _, p) => { seen = Arg.As<iommu_test_cmd>(p); return 0; };
        _context.Selftest.AddReserved(new IoasId(6), 0x10000, 0x2000);
        Assert.That((seen.op, seen.id, seen.add_reserved.start, seen.add_reserved.length),
                    Is.EqualTo(((uint)IommufdTest.IOMMU_TEST_OP_ADD_RESERVED, 6u, 0x10000UL, 0x2000UL)));
    }

    [Test]
    public void A_failing_command_names_the_op()
    {
        _backend.OnIoctl = (_, _, _) => -(int)Errno.ENOTTY;
        var e = Assert.Throws<IommuFdException>(() => _context.Selftest.MockDomain(new IoasId(1)));
        Assert.That(e!.Message, Is.EqualTo("IOMMU_TEST_CMD IOMMU_TEST_OP_MOCK_DOMAIN failed: ENOTTY (25)"));
    }

    [Test]
    public void CreateAccess_owns_the_access_fd_and_access_ops_pass_it_as_the_id()
    {
        var seen = new List<iommu_test_cmd>();
        _backend.OnIoctl = (_, _, p) =>
        {
            seen.Add(Arg.As<iommu_test_cmd>(p));
            ref iommu_test_cmd cmd = ref Arg.As<iommu_test_cmd>(p);
            if (cmd.op == (uint)IommufdTest.IOMMU_TEST_OP_CREATE_ACCESS)
                cmd.create_access.out_access_fd = 55;
            if (cmd.op == (uint)IommufdTest.IOMMU_TEST_OP_ACCESS_PAGES)
                cmd.access_pages.out_access_pages_id = 9;
            return 0;
        };

        using (IommuFdHandle access = _context.Selftest.CreateAccess(new IoasId(2), (uint)IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES))
        {
            Assert.That(_context.Selftest.AccessPages(access, 0x4000, 0x1000), Is.EqualTo(9));
            _context.Selftest.DestroyAccessPages(access, 9);
            _context.Selftest.AccessWrite(access, 0x4000, [1, 2, 3]);
        }

        Assert.That(_backend.Closed, Does.Contain(55));
        Assert.That((seen[0].id, seen[0].create_access.flags), Is.EqualTo((2u, (uint)IommufdTest.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)));
        Assert.That((seen[1].id, seen[1].access_pages.iova, seen[1].access_pages.length), Is.EqualTo((55u, 0x4000UL, 0x1000UL)));
        Assert.That((seen[2].id, seen[2].destroy_access_pages.access_pages_id), Is.EqualTo((55u, 9u)));
        Assert.That((seen[3].id, seen[3].access_rw.length, seen[3].access_rw.flags & (uint)IommufdTest.MOCK_ACCESS_RW_WRITE),
                    Is.EqualTo((55u, 3UL, (uint)IommufdTest.MOCK_ACCESS_RW_WRITE)));
    }

    [Test]
    public void AccessRead_fills_the_callers_buffer_through_the_pointer()
    {
        _backend.OnIoctl = (_, _, p) =>
        {
            ref iommu_test_cmd cmd = ref Arg.As<iommu_test_cmd>(p);
            Assert.That(cmd.access_rw.flags & (uint)IommufdTest.MOCK_ACCESS_RW_WRITE, Is.Zero);
            if (cmd.op == (uint)IommufdTest.IOMMU_TEST_OP_ACCESS_RW)
                Arg.Bytes((nint)cmd.access_rw.uptr, (int)cmd.access_rw.length).Fill(0x5A);
            else
                cmd.create_access.out_access_fd = 56;
            return 0;
        };
        using IommuFdHandle access = _context.Selftest.CreateAccess(new IoasId(2));
        byte[] buffer = new byte[16];
        _context.Selftest.AccessRead(access, 0x8000, buffer);
        Assert.That(buffer, Has.All.EqualTo(0x5A));
    }
}

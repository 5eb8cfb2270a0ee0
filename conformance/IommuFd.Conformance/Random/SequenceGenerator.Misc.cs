using System.Text.Json.Nodes;
using static IommuFd.Conformance.Random.SequenceState;

namespace IommuFd.Conformance.Random;

// Families of the VFIO compat ioctls, argument sizes, odd IOMMU_TEST_CMD ops, and fds.
public sealed partial class SequenceGenerator
{
    // Marks an fd's compat IOAS (owned by the IOAS, so it is forgotten with it); never destroyed itself.
    private const string CompatIoas = "compat";

    /// <summary>The VFIO type1 compat ioctls on the iommufd fd, whose compat IOAS may have mock domains
    /// (CHECK_EXTENSION(VFIO_DMA_CC_IOMMU) depends on them): set or clear the compat IOAS, then
    /// CHECK_EXTENSION, SET_IOMMU, MAP_DMA, UNMAP_DMA, GET_INFO.</summary>
    private static void VfioCompat(SequenceState s)
    {
        int fd = s.Fd();
        // The compat ioctls need a compat IOAS: usually set one first on an fd that has none.
        bool setFirst = s.OnFd(fd, CompatIoas).Count == 0 && !s.OneIn(4);
        switch (setFirst ? 0 : s.Random.Next(7))
        {
            case 0:
            {
                List<TrackedObject> ioas = s.OnFd(fd, Ioas);
                int op = setFirst ? 1 : s.OneIn(10) ? s.Random.Next(3, 10) : s.Random.Next(3);
                TrackedObject? target = op == 1 && ioas.Count > 0 ? s.Pick(ioas) : null;
                s.Add("IOMMU_VFIO_IOAS", new JsonObject
                {
                    ["ioas_id"] = op == 1 ? target?.Id.DeepClone() ?? s.MadeUpId() : JsonValue.Create(0),
                    ["op"] = op,
                }, fd);
                if (target is not null)
                    s.Track(CompatIoas, fd, target.Id.DeepClone(), owner: target, holdsOwner: false);
                else if (op == 2)
                    s.Objects.RemoveAll(o => o.Fd == fd && o.Kind == CompatIoas);
                break;
            }
            case 1:
                s.Add("VFIO_CHECK_EXTENSION", null, fd, value: JsonValue.Create(s.OneIn(2) ? 4 : s.Random.Next(0, 12)));
                break;
            case 2:
                s.Add("VFIO_SET_IOMMU", null, fd, value: JsonValue.Create(s.OneIn(4) ? s.Random.Next(0, 10) : s.Random.Next(2) * 2 + 1));
                break;
            case 3:
            {
                ulong length = s.Length();
                (string buffer, ulong offset) = s.UserAddress(length);
                s.Add("VFIO_IOMMU_MAP_DMA", new JsonObject
                {
                    ["flags"] = s.OneIn(8) ? 1u << s.Random.Next(2, 32) : (uint)s.Random.Next(0, 4),
                    ["vaddr"] = $"@{buffer}+{offset}",
                    ["iova"] = s.FixedIova(length),
                    ["size"] = length,
                }, fd);
                break;
            }
            case 4:
            {
                bool all = s.OneIn(3);
                s.Add("VFIO_IOMMU_UNMAP_DMA", new JsonObject
                {
                    ["flags"] = all ? 2u : s.OneIn(8) ? 1u << s.Random.Next(0, 32) : 0u,
                    ["iova"] = all && s.OneIn(2) ? 0 : ApertureStart + Page * (ulong)s.Random.Next(0, 256),
                    ["size"] = all && s.OneIn(2) ? 0 : s.Length(),
                }, fd);
                break;
            }
            default:
                s.Add("VFIO_IOMMU_GET_INFO", new JsonObject(), fd, tail: new byte[s.Random.Next(0, 13) * 8]);
                break;
        }
    }

    // Commands, their size field and a size below their minimum (the kernel checks size < minimum first).
    private static readonly (string Command, string SizeField, int MinSize)[] Sized =
    [
        ("IOMMU_TEST_CMD", "size", 16), ("IOMMU_HWPT_ALLOC", "size", 16), ("IOMMU_GET_HW_INFO", "size", 16),
        ("IOMMU_IOAS_MAP", "size", 40), ("IOMMU_IOAS_COPY", "size", 40), ("IOMMU_DESTROY", "size", 8),
    ];

    private static readonly (string Command, string SizeField, int MinSize)[] WithoutTestCmd = [.. Sized.Where(c => c.Command != "IOMMU_TEST_CMD")];

    /// <summary>A device or IOAS command with a size below its minimum, or a zero or non-zero tail beyond
    /// its struct (the extensibility rules). Without devices, no IOMMU_TEST_CMD.</summary>
    private static void WrongSize(SequenceState s)
    {
        (string command, string sizeField, int min) = s.Pick(s.Devices ? Sized : WithoutTestCmd);
        (int fd, JsonNode dev, _) = s.IdOf(8, Device);
        var arg = new JsonObject();
        switch (command)
        {
            case "IOMMU_TEST_CMD":
                arg["op"] = OpMockDomain;
                arg["id"] = s.OnFd(fd, Ioas) is { Count: > 0 } ioas ? s.Pick(ioas).Id.DeepClone() : s.MadeUpId();
                break;
            case "IOMMU_HWPT_ALLOC" or "IOMMU_GET_HW_INFO":
                arg["dev_id"] = dev;
                break;
        }
        switch (s.Random.Next(3))
        {
            case 0:
                arg[sizeField] = s.Random.Next(0, min);
                s.Add(command, arg, fd);
                break;
            case 1:
                s.Add(command, arg, fd, tail: new byte[s.Random.Next(1, 17)]);
                break;
            default:
                var tail = new byte[s.Random.Next(1, 17)];
                tail[s.Random.Next(tail.Length)] = (byte)s.Random.Next(1, 256);
                s.Add(command, arg, fd, tail: tail);
                break;
        }
    }

    /// <summary>IOMMU_TEST_CMD ops past the selftest's list (EOPNOTSUPP) and SET_TEMP_MEMORY_LIMIT below its
    /// floor (EINVAL; a valid limit would change the kernel's batch size for every later test, so none).</summary>
    private static void TestCmdOddities(SequenceState s)
    {
        int fd = s.Fd();
        if (s.OneIn(2))
            s.TestCmd(fd, (uint)(s.OneIn(4) ? 0 : s.Random.Next(16, 64)), s.MadeUpId());
        else
            s.TestCmd(fd, 9, null, "memory_limit", new JsonObject { ["limit"] = s.Random.Next(0, 12) });
    }

    /// <summary>Closes an fd (its devices are unbound and everything of it destroyed in one go) or opens one
    /// with an IOAS, with devices often with a mock device on it.</summary>
    private static void OpenOrClose(SequenceState s)
    {
        if (s.OpenFds.Count > 1 && s.OneIn(2))
        {
            s.Close(s.OpenFds[1 + s.Random.Next(s.OpenFds.Count - 1)]);
            return;
        }
        int fd = s.Open();
        IoasAlloc(s, valid: true, fd);
        if (s.Devices && !s.OneIn(3))
        {
            TrackedObject ioas = s.OnFd(fd, Ioas)[0];
            int step = s.TestCmd(fd, OpMockDomain, ioas.Id.DeepClone());
            TrackedObject stdev = s.Track(Selftest, fd, Ref(step, "mock_domain.out_stdev_id"));
            s.Sure.Add(s.Track(Device, fd, Ref(step, "mock_domain.out_idev_id"), owner: stdev, holdsOwner: false));
            s.Track(AutoHwpt, fd, Ref(step, "mock_domain.out_hwpt_id"), owner: ioas);
        }
    }
}

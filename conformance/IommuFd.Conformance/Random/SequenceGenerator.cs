using System.Text.Json.Nodes;
using IommuFd.Conformance.Traces;

namespace IommuFd.Conformance.Random;

/// <summary>Generates random, state-aware ioctl sequences for differential testing: mostly valid
/// calls built from the IDs, areas and buffers the sequence created so far (as <c>"$N.field"</c>
/// references), and a share of malformed ones (bad flags, reserved bits, stale IDs, wrong sizes,
/// overlapping IOVAs). The same seed always gives the same traces.</summary>
/// <remarks>Scope: the IOAS ioctls, IOMMU_OPTION, IOMMU_VFIO_IOAS, DESTROY and the VFIO type1
/// compatibility ioctls on the iommufd fd, across several fds; no devices.</remarks>
public sealed class SequenceGenerator : ISequenceGenerator
{
    private const ulong Page = 4096;
    private const ulong U64Max = ulong.MaxValue;
    private readonly System.Random _random;
    private readonly int _seed;
    private int _traces;

    /// <summary>Creates a generator; equal seeds give equal sequences.</summary>
    public SequenceGenerator(int seed)
    {
        _seed = seed;
        _random = new System.Random(seed);
    }

    /// <inheritdoc />
    public int Seed => _seed;

    /// <summary>The next trace of about <paramref name="steps"/> steps, named <c>random-SEED-K</c>.</summary>
    public Trace Next(int steps)
    {
        var state = new State(_random);
        state.Begin();
        while (state.Steps.Count < steps)
            state.AddRandomCall();
        return new Trace($"random-{_seed}-{_traces++}", state.Steps);
    }

    private sealed record Area(int Fd, JsonNode Ioas, JsonNode Iova, ulong Length);

    private sealed class State(System.Random random)
    {
        public readonly List<TraceStep> Steps = [];
        private readonly List<(int Fd, JsonNode Id)> _ioas = [];
        private readonly List<Area> _areas = [];
        private readonly List<int> _openFds = [0];
        private int _opened = 1;
        private static readonly (string Name, ulong Length)[] Buffers = [("a", 64 * Page), ("b", 16 * Page + 512)];

        public void Begin()
        {
            foreach ((string name, ulong length) in Buffers)
                Steps.Add(new AllocStep(name, length));
            Steps.Add(new AllocStep("r", Page));
            AllocIoas(valid: true);
            if (random.Next(2) == 0) // most VFIO compat calls need a compat IOAS
                Add("IOMMU_VFIO_IOAS", new JsonObject { ["ioas_id"] = _ioas[0].Id.DeepClone(), ["op"] = 1 });
        }

        public void AddRandomCall()
        {
            int roll = random.Next(100);
            if (roll < 10) AllocIoas(valid: random.Next(10) != 0);
            else if (roll < 32) Map();
            else if (roll < 44) Unmap();
            else if (roll < 52) Copy();
            else if (roll < 57) IovaRanges();
            else if (roll < 61) AllowIovas();
            else if (roll < 66) Option();
            else if (roll < 71) Destroy();
            else if (roll < 74) VfioIoas();
            else if (roll < 84) VfioCompat();
            else if (roll < 94) WrongSize();
            else if (roll < 97) OpenOrClose();
            else ReservedOrFlags();
        }

        private int Fd() => _openFds[random.Next(_openFds.Count)];

        private JsonNode Ref(int step, string field) => JsonValue.Create($"${step}.{field}");

        private int Add(string command, JsonObject? arg, int fd = 0, byte[]? tail = null, JsonNode? value = null)
        {
            Steps.Add(new IoctlStep(command, fd, arg, value, tail));
            return Steps.Count - 1;
        }

        private void AllocIoas(bool valid)
        {
            int fd = Fd();
            int step = Add("IOMMU_IOAS_ALLOC", new JsonObject { ["flags"] = valid ? 0 : 1u << random.Next(32) }, fd);
            if (valid)
                _ioas.Add((fd, Ref(step, "out_ioas_id")));
        }

        /// <summary>A live IOAS of some fd, mostly; sometimes a stale or made-up id.</summary>
        private (int Fd, JsonNode Id) Ioas()
        {
            if (_ioas.Count == 0 || random.Next(12) == 0)
                return (Fd(), JsonValue.Create((uint)random.Next(0, 8)));
            var pick = _ioas[random.Next(_ioas.Count)];
            return (pick.Fd, pick.Id.DeepClone());
        }

        private ulong Length()
        {
            return random.Next(10) switch
            {
                0 => (ulong)random.Next(1, 8192),                // any byte length
                1 => Page * (ulong)random.Next(17, 64),          // large
                2 => 0,                                          // invalid
                _ => Page * (ulong)random.Next(1, 17),
            };
        }

        private (string Buffer, ulong Offset) UserAddress(ulong length)
        {
            (string name, ulong size) = Buffers[random.Next(Buffers.Length)];
            ulong room = length < size ? size - length : 0;
            ulong offset = random.Next(4) == 0 ? (ulong)random.NextInt64(0, (long)room + 1)
                                               : Page * (ulong)random.NextInt64(0, (long)(room / Page) + 1);
            return (name, Math.Min(offset, size));
        }

        private uint MapFlags()
        {
            return random.Next(20) switch
            {
                0 => 0,                                      // no permission: EINVAL
                1 => 1u << random.Next(3, 32),               // unknown flag
                2 => 4,                                      // read only
                3 => 2,                                      // write only
                _ => 6,
            };
        }

        private JsonNode FixedIova(ulong length)
        {
            if (_areas.Count > 0 && random.Next(4) == 0)
                return _areas[random.Next(_areas.Count)].Iova.DeepClone(); // collide with an area
            return random.Next(8) switch
            {
                0 => JsonValue.Create(0UL),
                1 => JsonValue.Create(U64Max - length + 1),
                2 => JsonValue.Create((ulong)random.Next(1, 1 << 20)),
                _ => JsonValue.Create(Page * (ulong)random.Next(1, 512)),
            };
        }

        private void Map()
        {
            (int fd, JsonNode ioas) = Ioas();
            ulong length = Length();
            (string buffer, ulong offset) = UserAddress(length);
            uint flags = MapFlags();
            bool isFixed = random.Next(3) == 0;
            var arg = new JsonObject
            {
                ["flags"] = flags | (isFixed ? 1u : 0u),
                ["ioas_id"] = ioas,
                ["user_va"] = $"@{buffer}+{offset}",
                ["length"] = length,
            };
            if (isFixed)
                arg["iova"] = FixedIova(length);
            int step = Add("IOMMU_IOAS_MAP", arg, fd);
            if (length > 0 && flags is 2 or 4 or 6)
                _areas.Add(new Area(fd, ioas.DeepClone(), isFixed ? arg["iova"]!.DeepClone() : Ref(step, "iova"), length));
        }

        private void Unmap()
        {
            int kind = random.Next(10);
            if (kind < 6 && _areas.Count > 0)
            {
                Area area = _areas[random.Next(_areas.Count)];
                bool exact = random.Next(4) != 0;
                var arg = new JsonObject
                {
                    ["ioas_id"] = area.Ioas.DeepClone(),
                    ["iova"] = area.Iova.DeepClone(),
                    ["length"] = exact ? area.Length : area.Length / 2 + 1,
                };
                Add("IOMMU_IOAS_UNMAP", arg, area.Fd);
                if (exact)
                    _areas.Remove(area);
                return;
            }
            (int fd, JsonNode ioas) = Ioas();
            if (kind < 8)
            {
                Add("IOMMU_IOAS_UNMAP", new JsonObject { ["ioas_id"] = ioas, ["iova"] = 0, ["length"] = U64Max }, fd);
                _areas.RemoveAll(a => a.Fd == fd && a.Ioas.ToJsonString() == ioas.ToJsonString());
                return;
            }
            Add("IOMMU_IOAS_UNMAP", new JsonObject
            {
                ["ioas_id"] = ioas,
                ["iova"] = random.Next(3) == 0 ? U64Max : Page * (ulong)random.Next(0, 64),
                ["length"] = random.Next(3) == 0 ? U64Max : Length(),
            }, fd);
        }

        private void Copy()
        {
            if (_areas.Count == 0)
            {
                Map();
                return;
            }
            Area source = _areas[random.Next(_areas.Count)];
            var sameFd = _ioas.Where(i => i.Fd == source.Fd).ToList();
            JsonNode destination = sameFd.Count > 0 && random.Next(8) != 0
                ? sameFd[random.Next(sameFd.Count)].Id.DeepClone()
                : JsonValue.Create((uint)random.Next(0, 8));
            ulong length = random.Next(3) == 0 ? source.Length : Math.Max(1, source.Length / (ulong)random.Next(1, 4) & ~(Page - 1));
            bool isFixed = random.Next(3) == 0;
            var arg = new JsonObject
            {
                ["flags"] = MapFlags() | (isFixed ? 1u : 0u),
                ["dst_ioas_id"] = destination,
                ["src_ioas_id"] = source.Ioas.DeepClone(),
                ["length"] = length,
                ["src_iova"] = source.Iova.DeepClone(),
            };
            if (isFixed)
                arg["dst_iova"] = FixedIova(length);
            int step = Add("IOMMU_IOAS_COPY", arg, source.Fd);
            _areas.Add(new Area(source.Fd, destination.DeepClone(), isFixed ? arg["dst_iova"]!.DeepClone() : Ref(step, "dst_iova"), length));
        }

        private void IovaRanges()
        {
            (int fd, JsonNode ioas) = Ioas();
            Add("IOMMU_IOAS_IOVA_RANGES", new JsonObject
            {
                ["ioas_id"] = ioas,
                ["num_iovas"] = random.Next(0, 5),
                ["allowed_iovas"] = "@r+0",
            }, fd);
            Steps.Add(new ReadStep("r", 0, 80));
        }

        private void AllowIovas()
        {
            (int fd, JsonNode ioas) = Ioas();
            int count = random.Next(0, 4);
            var data = new byte[count * 16];
            ulong next = Page * (ulong)random.Next(0, 64);
            for (int i = 0; i < count; i++)
            {
                // Mostly disjoint ascending ranges; sometimes a one-byte or overlapping one.
                ulong start = random.Next(8) == 0 ? Page * (ulong)random.Next(0, 4096) : next;
                ulong last = random.Next(8) == 0 ? start : start + Page * (ulong)random.Next(1, 1024) - 1;
                next = last + 1 + Page * (ulong)random.Next(0, 16);
                BitConverter.TryWriteBytes(data.AsSpan(i * 16), start);
                BitConverter.TryWriteBytes(data.AsSpan(i * 16 + 8), last);
            }
            if (count > 0)
                Steps.Add(new WriteStep("r", 0, data));
            Add("IOMMU_IOAS_ALLOW_IOVAS", new JsonObject
            {
                ["ioas_id"] = ioas,
                ["num_iovas"] = count,
                ["allowed_iovas"] = "@r+0",
            }, fd);
        }

        private void Option()
        {
            (int fd, JsonNode ioas) = Ioas();
            bool huge = random.Next(4) != 0;
            var arg = new JsonObject
            {
                ["option_id"] = huge ? 1 : random.Next(3) == 0 ? random.Next(2, 100) : 0,
                ["op"] = random.Next(2),
                ["object_id"] = huge ? ioas : JsonValue.Create(0),
                ["val64"] = random.Next(5) == 0 ? 2 : random.Next(2),
            };
            // RLIMIT_MODE SET depends on the caller's capabilities; only GET it.
            if (!huge && arg["option_id"]!.GetValue<int>() == 0)
                arg["op"] = 1;
            Add("IOMMU_OPTION", arg, fd);
        }

        private void Destroy()
        {
            if (_ioas.Count > 0 && random.Next(4) != 0)
            {
                var victim = _ioas[random.Next(_ioas.Count)];
                Add("IOMMU_DESTROY", new JsonObject { ["id"] = victim.Id.DeepClone() }, victim.Fd);
                _ioas.Remove(victim);
                _areas.RemoveAll(a => a.Fd == victim.Fd && a.Ioas.ToJsonString() == victim.Id.ToJsonString());
                return;
            }
            Add("IOMMU_DESTROY", new JsonObject { ["id"] = random.Next(0, 10) }, Fd());
        }

        private void VfioIoas()
        {
            (int fd, JsonNode ioas) = Ioas();
            int op = random.Next(10) == 0 ? random.Next(3, 10) : random.Next(3);
            Add("IOMMU_VFIO_IOAS", new JsonObject { ["ioas_id"] = op == 1 ? ioas : JsonValue.Create(0), ["op"] = op }, fd);
        }

        private void VfioCompat()
        {
            int fd = Fd();
            switch (random.Next(7))
            {
                case 0:
                    Add("VFIO_GET_API_VERSION", null, fd);
                    break;
                case 1:
                    Add("VFIO_CHECK_EXTENSION", null, fd, value: JsonValue.Create(random.Next(0, 12)));
                    break;
                case 2:
                    Add("VFIO_SET_IOMMU", null, fd, value: JsonValue.Create(random.Next(4) == 0 ? random.Next(0, 10) : random.Next(2) * 2 + 1));
                    break;
                case 3:
                {
                    ulong length = Length();
                    (string buffer, ulong offset) = UserAddress(length);
                    Add("VFIO_IOMMU_MAP_DMA", new JsonObject
                    {
                        ["flags"] = random.Next(8) == 0 ? 1u << random.Next(2, 32) : (uint)random.Next(0, 4),
                        ["vaddr"] = $"@{buffer}+{offset}",
                        ["iova"] = FixedIova(length),
                        ["size"] = length,
                    }, fd);
                    break;
                }
                case 4:
                {
                    bool all = random.Next(3) == 0;
                    Add("VFIO_IOMMU_UNMAP_DMA", new JsonObject
                    {
                        ["flags"] = all ? 2u : random.Next(8) == 0 ? 1u << random.Next(0, 32) : 0u,
                        ["iova"] = all && random.Next(2) == 0 ? 0 : Page * (ulong)random.Next(0, 512),
                        ["size"] = all && random.Next(2) == 0 ? 0 : Length(),
                    }, fd);
                    break;
                }
                default:
                    Add("VFIO_IOMMU_GET_INFO", new JsonObject(), fd, tail: new byte[random.Next(0, 13) * 8]);
                    break;
            }
        }

        private static readonly (string Command, string SizeField, int MinSize)[] Sized =
        [
            ("IOMMU_DESTROY", "size", 8), ("IOMMU_IOAS_ALLOC", "size", 12), ("IOMMU_IOAS_ALLOW_IOVAS", "size", 24),
            ("IOMMU_IOAS_COPY", "size", 40), ("IOMMU_IOAS_IOVA_RANGES", "size", 32), ("IOMMU_IOAS_MAP", "size", 40),
            ("IOMMU_IOAS_UNMAP", "size", 24), ("IOMMU_OPTION", "size", 24), ("IOMMU_VFIO_IOAS", "size", 12),
            ("VFIO_IOMMU_MAP_DMA", "argsz", 32), ("VFIO_IOMMU_UNMAP_DMA", "argsz", 24), ("VFIO_IOMMU_GET_INFO", "argsz", 16),
        ];

        private void WrongSize()
        {
            (string command, string sizeField, int min) = Sized[random.Next(Sized.Length)];
            (int fd, JsonNode ioas) = Ioas();
            var arg = new JsonObject();
            if (command is "IOMMU_IOAS_ALLOW_IOVAS" or "IOMMU_IOAS_IOVA_RANGES" or "IOMMU_IOAS_UNMAP")
                arg["ioas_id"] = ioas;
            if (command == "IOMMU_IOAS_MAP")
            {
                arg["ioas_id"] = ioas;
                arg["flags"] = 6;
                arg["user_va"] = "@a+0";
                arg["length"] = Page;
            }
            switch (random.Next(3))
            {
                case 0:
                    arg[sizeField] = random.Next(0, min);
                    Add(command, arg, fd);
                    break;
                case 1:
                    Add(command, arg, fd, tail: new byte[random.Next(1, 17)]);
                    break;
                default:
                    var tail = new byte[random.Next(1, 17)];
                    tail[random.Next(tail.Length)] = (byte)random.Next(1, 256);
                    Add(command, arg, fd, tail: tail);
                    break;
            }
        }

        private void ReservedOrFlags()
        {
            (int fd, JsonNode ioas) = Ioas();
            switch (random.Next(3))
            {
                case 0:
                    Add("IOMMU_IOAS_IOVA_RANGES", new JsonObject { ["ioas_id"] = ioas, ["__reserved"] = 1 }, fd);
                    break;
                case 1:
                    Add("IOMMU_OPTION", new JsonObject { ["option_id"] = 1, ["op"] = 1, ["__reserved"] = 1, ["object_id"] = ioas }, fd);
                    break;
                default:
                    Add("IOMMU_VFIO_IOAS", new JsonObject { ["op"] = 0, ["__reserved"] = 1 }, fd);
                    break;
            }
        }

        private void OpenOrClose()
        {
            if (_openFds.Count > 1 && random.Next(2) == 0)
            {
                int fd = _openFds[1 + random.Next(_openFds.Count - 1)];
                Steps.Add(new CloseStep(fd));
                _openFds.Remove(fd);
                _ioas.RemoveAll(i => i.Fd == fd);
                _areas.RemoveAll(a => a.Fd == fd);
                return;
            }
            Steps.Add(new OpenStep());
            _openFds.Add(_opened++);
            AllocIoas(valid: true);
        }
    }
}

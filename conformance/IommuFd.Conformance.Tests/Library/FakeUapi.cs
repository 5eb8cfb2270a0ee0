using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using IommuFd.Bindings.Backends;
using IommuFd.Uapi;

namespace IommuFd.Conformance.Tests.Library;

// Hand-made structs shaped like generated ones, to test the library without the generated layer.

[CName("struct fake_range"), CLayout(16, 8), StructLayout(LayoutKind.Explicit, Size = 16)]
public struct fake_range
{
    [FieldOffset(0), CName("start")] public ulong start;
    [FieldOffset(8), CName("last")] public ulong last;
}

[InlineArray(3)]
public struct FakeBytes3
{
    private byte _element;
}

[CName("struct fake_cmd"), CLayout(56, 8), StructLayout(LayoutKind.Explicit, Size = 56)]
public unsafe struct fake_cmd
{
    [FieldOffset(0), CName("size")] public uint size;
    [FieldOffset(4), CName("flags")] public uint flags;
    [FieldOffset(8), CName("id")] public uint id;
    [FieldOffset(12), CName("__reserved")] public FakeBytes3 __reserved;
    [FieldOffset(15), CName("small")] public sbyte small;
    [FieldOffset(16), CName("user_va")] public ulong user_va;
    [FieldOffset(24), CName("out_iova")] public ulong out_iova;
    [FieldOffset(32), CName("range")] public fake_range range;
    [FieldOffset(48), CName("pad")] public fixed byte pad[4];
    [FieldOffset(52), CName("mode")] public FakeMode mode;
}

public enum FakeMode : uint { Off = 0, On = 1 }

/// <summary>A tiny backend for library tests: FAKE_CMD checks size like the iommufd dispatcher
/// and hands out IOVAs; FAKE_VALUE doubles its integer; FAKE_NONE returns 7.</summary>
public sealed unsafe class FakeBackend(string name = "fake", ulong iovaBase = 0x1000) : IIommuBackend
{
    public const uint FakeCmd = 0xF001, FakeValue = 0xF002, FakeNone = 0xF003;
    private int _nextFd = 100;
    private ulong _mapped;

    public static IoctlCatalog Catalog { get; } = new(
    [
        new IoctlDescriptor("FAKE_CMD", FakeCmd, typeof(fake_cmd), "size"),
        new IoctlDescriptor("FAKE_VALUE", FakeValue, null, null),
        new IoctlDescriptor("FAKE_NONE", FakeNone, null, null),
    ]);

    public string Name => name;
    public List<int> Closed { get; } = [];

    public int Open(string path) => path == "/dev/iommu" ? _nextFd++ : -2;
    public int Close(int fd) { Closed.Add(fd); return fd >= 100 ? 0 : -9; }
    public long Read(int fd, Span<byte> buffer, long offset = -1) => -22;
    public long Write(int fd, ReadOnlySpan<byte> buffer, long offset = -1) => -22;
    public UserMemory Allocate(nuint length) => UserMemory.Map(length);
    public UserMemory AllocateHugetlb(nuint length) => UserMemory.MapSharedAligned(length, (nuint)UserMemory.HugePageSize);
    public void Dispose() { }

    public int Ioctl(int fd, uint request, void* argument)
    {
        if (fd < 100)
            return -9;
        switch (request)
        {
            case FakeValue:
                return (int)(nint)argument * 2;
            case FakeNone:
                return 7;
            case FakeCmd:
                if (argument == null)
                    return -14;
                var cmd = (fake_cmd*)argument;
                if (cmd->size < 16)
                    return -22;
                for (uint i = 56; i < cmd->size; i++)
                    if (((byte*)argument)[i] != 0)
                        return -7;
                if (cmd->id == 0)
                    return -2;
                cmd->out_iova = iovaBase + 0x1000 * _mapped++ + (cmd->user_va & 0xFFF);
                cmd->range.last = cmd->range.start + 0xFFF;
                return 0;
            default:
                return -25;
        }
    }
}

// Compiled into both the runtime library and the generator, so generated request numbers and
// the ones computed at run time come from one implementation.
namespace IommuFd.Uapi;

/// <summary>How an architecture packs an ioctl request number (include/uapi/asm-generic/ioctl.h
/// and the powerpc, mips and sparc overrides of it).</summary>
public enum IocEncoding
{
    /// <summary>x86, arm64, riscv and most others: 14 size bits, NONE=0, WRITE=1, READ=2.</summary>
    Generic = 0,
    /// <summary>powerpc: 13 size bits, 3 direction bits, NONE=1, READ=2, WRITE=4.</summary>
    PowerPc = 1,
    /// <summary>mips: same packing as powerpc.</summary>
    Mips = 2,
    /// <summary>sparc: same packing as powerpc.</summary>
    Sparc = 3,
}

/// <summary>The kernel's <c>_IOC</c> family of macros.</summary>
public static class Ioc
{
    /// <summary>Direction as written in C: <c>_IOC_NONE</c>, <c>_IOC_WRITE</c>, <c>_IOC_READ</c>,
    /// before translation to an encoding's bit values.</summary>
    [Flags]
    public enum Direction
    {
        /// <summary>No data transfer.</summary>
        None = 0,
        /// <summary>Userspace writes, the kernel reads.</summary>
        Write = 1,
        /// <summary>The kernel writes, userspace reads.</summary>
        Read = 2,
    }

    /// <summary>Bits of the size field for an encoding.</summary>
    public static int SizeBits(IocEncoding encoding) => encoding == IocEncoding.Generic ? 14 : 13;

    /// <summary><c>_IOC(dir, type, nr, size)</c>. Throws when a field does not fit its bits,
    /// which the C macro would silently corrupt.</summary>
    public static uint Encode(IocEncoding encoding, Direction direction, uint type, uint nr, uint size)
    {
        int sizeBits = SizeBits(encoding);
        if (type > 0xFF) throw new ArgumentOutOfRangeException(nameof(type), type, "ioctl type is 8 bits");
        if (nr > 0xFF) throw new ArgumentOutOfRangeException(nameof(nr), nr, "ioctl number is 8 bits");
        if (size >= 1u << sizeBits) throw new ArgumentOutOfRangeException(nameof(size), size, $"ioctl size is {sizeBits} bits");
        return DirectionBits(encoding, direction) << (16 + sizeBits) | size << 16 | type << 8 | nr;
    }

    /// <summary><c>_IO(type, nr)</c>.</summary>
    public static uint IO(IocEncoding encoding, uint type, uint nr) => Encode(encoding, Direction.None, type, nr, 0);

    /// <summary><c>_IOR(type, nr, T)</c> with <paramref name="size"/> = sizeof(T).</summary>
    public static uint IOR(IocEncoding encoding, uint type, uint nr, uint size) => Encode(encoding, Direction.Read, type, nr, size);

    /// <summary><c>_IOW(type, nr, T)</c> with <paramref name="size"/> = sizeof(T).</summary>
    public static uint IOW(IocEncoding encoding, uint type, uint nr, uint size) => Encode(encoding, Direction.Write, type, nr, size);

    /// <summary><c>_IOWR(type, nr, T)</c> with <paramref name="size"/> = sizeof(T).</summary>
    public static uint IOWR(IocEncoding encoding, uint type, uint nr, uint size) =>
        Encode(encoding, Direction.Read | Direction.Write, type, nr, size);

    /// <summary><c>_IOC_NR(request)</c>.</summary>
    public static uint Nr(uint request) => request & 0xFF;

    /// <summary><c>_IOC_TYPE(request)</c>.</summary>
    public static uint Type(uint request) => request >> 8 & 0xFF;

    private static uint DirectionBits(IocEncoding encoding, Direction direction)
    {
        if (encoding == IocEncoding.Generic)
            return (uint)direction; // NONE 0, WRITE 1, READ 2
        uint bits = 0;
        if (direction == Direction.None) bits = 1;
        if ((direction & Direction.Read) != 0) bits |= 2;
        if ((direction & Direction.Write) != 0) bits |= 4;
        return bits;
    }
}

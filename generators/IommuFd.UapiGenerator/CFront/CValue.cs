namespace IommuFd.UapiGenerator.CFront;

/// <summary>The C integer types a constant expression can have on an LP64 target.</summary>
internal enum CIntType
{
    Int,
    UInt,
    Long,
    ULong,
}

/// <summary>An integer constant with its C type. <see cref="Bits"/> holds the value truncated
/// to the type's width (sign-extended for signed types).</summary>
internal readonly struct CValue
{
    public CValue(ulong bits, CIntType type, bool shiftedIntoSign = false)
    {
        Type = type;
        Bits = Normalize(bits, type);
        ShiftedIntoSign = shiftedIntoSign;
    }

    public ulong Bits { get; }
    public CIntType Type { get; }
    /// <summary>An int shift set the sign bit (<c>1 &lt;&lt; 31</c>): C gives INT_MIN, but the
    /// author meant bit 31, so emitters type it as uint.</summary>
    public bool ShiftedIntoSign { get; }

    public bool IsUnsigned => Type == CIntType.UInt || Type == CIntType.ULong;
    public int Width => Type == CIntType.Int || Type == CIntType.UInt ? 32 : 64;
    public long Signed => (long)Bits;
    public bool IsNegative => !IsUnsigned && (long)Bits < 0;
    public bool IsZero => Bits == 0;

    public static CValue Int(long value) => new((ulong)value, CIntType.Int);

    public CValue ConvertTo(CIntType type) => new(Bits, type);

    public static ulong Normalize(ulong bits, CIntType type) => type switch
    {
        CIntType.Int => (ulong)(long)(int)(uint)bits,
        CIntType.UInt => bits & 0xFFFFFFFFUL,
        _ => bits,
    };

    /// <summary>C's usual arithmetic conversions for two operands.</summary>
    public static CIntType Common(CIntType a, CIntType b)
    {
        if (a == b) return a;
        int ra = Rank(a), rb = Rank(b);
        if (ra == rb) return ra == 1 ? CIntType.UInt : CIntType.ULong;
        var wide = ra > rb ? a : b;
        return wide; // long can hold every unsigned int; unsigned long wins anyway
    }

    private static int Rank(CIntType t) => t == CIntType.Int || t == CIntType.UInt ? 1 : 2;

    public override string ToString() => IsUnsigned ? Bits.ToString() : Signed.ToString();
}

using System;
using IommuFd.UapiGenerator.CFront;

namespace IommuFd.UapiGenerator.Layout;

/// <summary>Lays out structs and unions as gcc does for the LP64 System V / AAPCS64 ABIs: members
/// at their natural alignment, tail padding to the largest alignment, flexible arrays that raise
/// alignment but add no size, <c>packed</c> and <c>aligned(N)</c>, and bitfields that never
/// straddle a storage unit of their declared type.</summary>
internal sealed class LayoutEngine
{
    public const int PointerSize = 8;

    /// <summary>Thrown for types that have no layout (incomplete, void, recursive).</summary>
    public sealed class LayoutException : Exception
    {
        public LayoutException(string message, Token at) : base(message) => At = at;
        public Token At { get; }
    }

    public (int Size, int Align) SizeAlign(CType type, Token at)
    {
        switch (type)
        {
            case ScalarCType s: return (s.Scalar.Size, s.Scalar.Align);
            case PointerCType: return (PointerSize, PointerSize);
            case EnumCType e: return EnumSize(e.Decl);
            case ArrayCType a:
                var (size, align) = SizeAlign(a.Element, at);
                return ((a.Length ?? 0) * size, align);
            case RecordCType r:
                Layout(r.Record);
                return (r.Record.Size, r.Record.Align);
        }
        throw new LayoutException("type has no layout", at);
    }

    /// <summary>gcc gives an enum the smallest of int/unsigned int/long/unsigned long holding its values.</summary>
    public static (int Size, int Align) EnumSize(EnumDecl decl)
    {
        var underlying = EnumUnderlying(decl);
        return underlying is "long" or "ulong" ? (8, 8) : (4, 4);
    }

    /// <summary>The C# underlying type gcc's choice maps to: uint unless a value is negative or
    /// needs more than 32 bits.</summary>
    public static string EnumUnderlying(EnumDecl decl)
    {
        bool negative = false, wide = false;
        foreach (var m in decl.Members)
        {
            var v = m.Value;
            if (v.IsNegative)
            {
                negative = true;
                if (v.Signed < int.MinValue) wide = true;
            }
            else if (v.Bits > (negative ? (ulong)int.MaxValue : uint.MaxValue)) wide = true;
        }
        if (negative)
        {
            foreach (var m in decl.Members)
                if (!m.Value.IsNegative && m.Value.Bits > int.MaxValue) wide = true;
            return wide ? "long" : "int";
        }
        return wide ? "ulong" : "uint";
    }

    public void Layout(RecordDecl record)
    {
        if (record.LaidOut) return;
        if (!record.IsComplete) throw new LayoutException($"{record.Keyword} {record.Tag} is declared but never defined", record.At);
        if (record.Members.Count == 0) throw new LayoutException($"{record.Keyword} {record.Tag} has no members (size 0 in GNU C; a C# struct has at least 1 byte)", record.At);
        if (_inProgress.Contains(record)) throw new LayoutException($"{record.Keyword} {record.Tag} contains itself", record.At);
        _inProgress.Add(record);
        try
        {
            LayoutMembers(record);
        }
        finally
        {
            _inProgress.Remove(record);
        }
        record.LaidOut = true;
    }

    private readonly System.Collections.Generic.HashSet<RecordDecl> _inProgress = new();

    private void LayoutMembers(RecordDecl record)
    {
        long bit = 0; // current end, in bits (structs)
        long sizeBits = 0; // unions: largest member
        int maxAlign = 1;
        for (int i = 0; i < record.Members.Count; i++)
        {
            var m = record.Members[i];
            var (size, align) = SizeAlign(m.Type, m.At);
            if (m.AlignAttribute > 0) align = Math.Max(align, m.AlignAttribute);
            else if (record.Packed) align = 1;

            if (m.BitWidth.HasValue)
            {
                if (m.Type is not (ScalarCType or EnumCType)) throw new LayoutException("a bitfield must have an integer type", m.At);
                int width = m.BitWidth.Value;
                if (width > size * 8) throw new LayoutException($"bitfield width {width} exceeds its type", m.At);
                int unitBits = (m.AlignAttribute > 0 ? m.AlignAttribute : size) * 8;
                long start = record.IsUnion ? 0 : bit;
                if (width == 0)
                {
                    if (!record.IsUnion) bit = AlignUp(bit, unitBits);
                    continue;
                }
                if (!record.Packed && start / unitBits != (start + width - 1) / unitBits) start = AlignUp(start, unitBits);
                m.BitOffset = (int)start;
                m.Offset = (int)(start / 8);
                if (m.Name != null && !record.Packed) maxAlign = Math.Max(maxAlign, align);
                if (record.IsUnion) sizeBits = Math.Max(sizeBits, width);
                else bit = start + width;
                continue;
            }

            // GNU [0] may stand anywhere (a marker, or an alternative in a union); [] must end a struct.
            if (m.Type is ArrayCType { Length: null, ZeroLength: false } && (record.IsUnion || i != record.Members.Count - 1))
                throw new LayoutException($"flexible array member '{m.Name}' must be the last member of a struct", m.At);
            maxAlign = Math.Max(maxAlign, align);
            if (record.IsUnion)
            {
                m.Offset = 0;
                sizeBits = Math.Max(sizeBits, size * 8L);
                continue;
            }
            long offset = AlignUp(bit, align * 8L);
            m.Offset = (int)(offset / 8);
            m.BitOffset = (int)offset;
            bit = offset + size * 8L;
        }
        if (record.AlignAttribute > 0) maxAlign = Math.Max(maxAlign, record.AlignAttribute);
        long end = record.IsUnion ? sizeBits : bit;
        long bytes = (end + 7) / 8;
        record.Align = maxAlign;
        record.Size = (int)AlignUp(bytes, maxAlign);
    }

    private static long AlignUp(long value, long align) => align <= 1 ? value : (value + align - 1) / align * align;
}

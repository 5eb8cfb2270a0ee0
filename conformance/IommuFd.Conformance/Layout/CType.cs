namespace IommuFd.Conformance.Layout;

/// <summary>The C shape of a field: a scalar, a fixed-size array, or a nested struct or union.</summary>
public abstract record CType
{
    /// <summary>C <c>sizeof</c> of the type.</summary>
    public abstract int Size { get; }
}

/// <summary>An integer of 1, 2, 4 or 8 bytes, little-endian as on every target the project runs on.</summary>
/// <param name="ByteCount">1, 2, 4 or 8.</param>
/// <param name="Signed">Whether C declares it signed.</param>
public sealed record CScalar(int ByteCount, bool Signed) : CType
{
    /// <inheritdoc />
    public override int Size => ByteCount;
}

/// <summary>A fixed-size array such as <c>__u8 __reserved[3]</c>.</summary>
/// <param name="Element">The element type.</param>
/// <param name="Count">The number of elements.</param>
public sealed record CArray(CType Element, int Count) : CType
{
    /// <inheritdoc />
    public override int Size => Element.Size * Count;
}

/// <summary>One field of a struct or union: its C name, byte offset and type.</summary>
/// <param name="Name">The C name (e.g. <c>__reserved</c>).</param>
/// <param name="Offset">Byte offset from the start of the enclosing struct.</param>
/// <param name="Type">The field's type.</param>
public sealed record CField(string Name, int Offset, CType Type);

/// <summary>A struct or union with its C tag name, C size and fields in offset order.</summary>
/// <param name="Name">The C tag, e.g. <c>iommu_ioas_map</c>.</param>
/// <param name="ByteCount">C <c>sizeof</c> (never counting a flexible array member).</param>
/// <param name="Fields">Fields ordered by offset, then by declaration.</param>
public sealed record CStruct(string Name, int ByteCount, IReadOnlyList<CField> Fields) : CType
{
    /// <inheritdoc />
    public override int Size => ByteCount;

    /// <summary>The field named <paramref name="name"/>, or null.</summary>
    public CField? Find(string name)
    {
        foreach (CField field in Fields)
            if (field.Name == name)
                return field;
        return null;
    }
}

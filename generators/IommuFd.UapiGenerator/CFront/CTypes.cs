using System.Collections.Generic;

namespace IommuFd.UapiGenerator.CFront;

/// <summary>A C type as parsed (mutable front-end representation, never part of a pipeline model).</summary>
internal abstract class CType
{
}

internal sealed class ScalarCType : CType
{
    public ScalarCType(ScalarType scalar) => Scalar = scalar;
    public ScalarType Scalar { get; }
}

internal sealed class PointerCType : CType
{
    public PointerCType(CType? target) => Target = target;
    /// <summary>Null for <c>void *</c> and function pointers.</summary>
    public CType? Target { get; }
}

internal sealed class ArrayCType : CType
{
    public ArrayCType(CType element, int? length, bool zeroLength = false)
    {
        Element = element;
        Length = length;
        ZeroLength = zeroLength;
    }

    public CType Element { get; }
    /// <summary>Null for a flexible array member (<c>[]</c> or GNU <c>[0]</c>).</summary>
    public int? Length { get; }
    /// <summary>Written <c>[0]</c>: GNU C allows it anywhere, not only last.</summary>
    public bool ZeroLength { get; }
}

internal sealed class RecordCType : CType
{
    public RecordCType(RecordDecl record) => Record = record;
    public RecordDecl Record { get; }
}

internal sealed class EnumCType : CType
{
    public EnumCType(EnumDecl decl) => Decl = decl;
    public EnumDecl Decl { get; }
}

/// <summary>A struct or union definition.</summary>
internal sealed class RecordDecl
{
    public RecordDecl(string? tag, bool isUnion, Token at)
    {
        Tag = tag;
        IsUnion = isUnion;
        At = at;
    }

    public string? Tag { get; }
    public bool IsUnion { get; }
    /// <summary>Where the record is defined (until then, its first mention: a pointer to it may
    /// come first, in another header).</summary>
    public Token At { get; set; }
    public bool IsComplete { get; set; }
    public bool Packed { get; set; }
    public int AlignAttribute { get; set; }
    public List<MemberDecl> Members { get; } = new();
    public string? Doc { get; set; }
    /// <summary>Name given by <c>typedef struct { ... } name;</c> when there is no tag.</summary>
    public string? TypedefName { get; set; }

    // Filled by the layout engine.
    public bool LaidOut { get; set; }
    public int Size { get; set; }
    public int Align { get; set; }

    public string Keyword => IsUnion ? "union" : "struct";
}

internal sealed class MemberDecl
{
    public MemberDecl(string? name, CType type, Token at)
    {
        Name = name;
        Type = type;
        At = at;
    }

    /// <summary>Null for anonymous struct/union members and unnamed bitfields.</summary>
    public string? Name { get; }
    public CType Type { get; }
    public Token At { get; }
    public int? BitWidth { get; set; }
    public int AlignAttribute { get; set; }
    public string? Doc { get; set; }

    // Filled by the layout engine (bytes; bit offset for bitfields).
    public int Offset { get; set; }
    public int BitOffset { get; set; }
}

internal sealed class EnumDecl
{
    public EnumDecl(string? tag, Token at)
    {
        Tag = tag;
        At = at;
    }

    public string? Tag { get; }
    public Token At { get; }
    public List<EnumMember> Members { get; } = new();
    public string? Doc { get; set; }
    public bool IsComplete { get; set; }
}

internal sealed class EnumMember
{
    public EnumMember(string name, CValue value, Token at)
    {
        Name = name;
        Value = value;
        At = at;
    }

    public string Name { get; }
    public CValue Value { get; }
    public Token At { get; }
    public string? Doc { get; set; }
    /// <summary>Has its own <c>= value</c> (not the previous value + 1).</summary>
    public bool Explicit { get; set; }
}

/// <summary>A declaration at file scope, in source order.</summary>
internal sealed class TopLevel
{
    public TopLevel(RecordDecl? record, EnumDecl? enumDecl, int file)
    {
        Record = record;
        Enum = enumDecl;
        File = file;
    }

    public RecordDecl? Record { get; }
    public EnumDecl? Enum { get; }
    public int File { get; }
}

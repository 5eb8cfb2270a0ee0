using IommuFd.UapiGenerator.Model;
using IommuFd.UapiGenerator.Tests.Infrastructure;

namespace IommuFd.UapiGenerator.Tests;

/// <summary>The layout engine against gcc's rules (values checked with gcc on x86_64).</summary>
public class LayoutTests
{
    private static StructModel Struct(string header, string name) =>
        ModelRunner.Model(header).Structs.Single(s => s.CsName == name);

    private static int Offset(StructModel s, string field) => s.Fields.Single(f => f.CName == field).Offset;

    [Test]
    public void NaturalAlignmentAndTailPadding()
    {
        var s = Struct("struct s { __u8 a; __u64 b; __u16 c; };", "s");
        Assert.That((s.Size, s.Align, Offset(s, "b"), Offset(s, "c")), Is.EqualTo((24, 8, 8, 16)));
    }

    [Test]
    public void FlexibleArrayRaisesAlignmentButNotSize()
    {
        var s = Struct("struct s { __u32 a; __u64 data[]; };", "s");
        Assert.That((s.Size, s.Align, s.Flexible.Single().Offset, s.Flexible.Single().ElementSize), Is.EqualTo((8, 8, 8, 8)));
        var z = Struct("struct z { __u32 a; __u8 data[0]; };", "z");
        Assert.That((z.Size, z.Flexible.Single().Offset), Is.EqualTo((4, 4)));
    }

    [Test]
    public void PackedAndAligned()
    {
        var p = Struct("struct p { __u8 a; __u64 b; } __attribute__((packed));", "p");
        Assert.That((p.Size, p.Align, Offset(p, "b")), Is.EqualTo((9, 1, 1)));
        var a = Struct("struct a { __u8 x; } __attribute__((aligned(8)));", "a");
        Assert.That((a.Size, a.Align), Is.EqualTo((8, 8)));
        var m = Struct("struct m { __u8 x; __u32 y __attribute__((aligned(8))); };", "m");
        Assert.That((m.Size, m.Align, Offset(m, "y")), Is.EqualTo((16, 8, 8)));
    }

    [Test]
    public void UnionSizeIsTheLargestMemberRounded()
    {
        var u = Struct("union u { __u8 a[5]; __u32 b; };", "u");
        Assert.That((u.Size, u.Align, Offset(u, "a"), Offset(u, "b")), Is.EqualTo((8, 4, 0, 0)));
    }

    [Test]
    public void BitfieldsDoNotStraddleTheirUnit()
    {
        var s = ModelRunner.Model("struct b { __u8 a : 7; __u8 b : 2; __u32 c : 30; __u32 d : 4; };").Structs.Single();
        Assert.That((s.Size, s.Align), Is.EqualTo((12, 4)));
        // a bits 0-6; b does not fit the rest of byte 0: byte 1; c at bit 16 would straddle: bit 32; d at bit 62 straddles: 64
        var bits = s.Bitfields.ToDictionary(b => b.CName, b => b.StorageOffset * 8 + b.Shift);
        Assert.That(bits, Is.EqualTo(new Dictionary<string, int> { ["a"] = 0, ["b"] = 8, ["c"] = 32, ["d"] = 64 }));
    }

    [Test]
    public void EnumFieldsUseTheEnumType()
    {
        var model = ModelRunner.Model("enum e { E_A = 1, E_B = 2 };\nenum w { W_A = 0x100000000 };\nstruct s { enum e x; enum w y; };");
        var s = model.Structs.Single();
        Assert.That(s.Fields.Select(f => (f.CsType, f.Offset)), Is.EqualTo(new[] { ("e", 0), ("w", 8) }));
        Assert.That(model.Enums.Select(e => e.Underlying), Is.EqualTo(new[] { "uint", "ulong" }));
    }

    [Test]
    public void MultiDimensionalArraysNest()
    {
        var s = Struct("struct g { __u16 cells[2][3][4]; };", "g");
        Assert.That(s.Size, Is.EqualTo(48));
        Assert.That(s.InlineArrays.Select(a => (a.CsName, a.Length, a.ElementCsType)), Is.EquivalentTo(new[]
        {
            ("cells_Array", 2, "cells_Array_1"), ("cells_Array_1", 3, "cells_Array_2"), ("cells_Array_2", 4, "ushort"),
        }));
    }

    [Test]
    public void PointersAreEightBytes()
    {
        var s = Struct("struct p { __u32 a; void *v; __u64 __user *u; const char * const *names; };", "p");
        Assert.That(s.Fields.Select(f => (f.Offset, f.CsType)), Is.EqualTo(new[] { (0, "uint"), (8, "ulong"), (16, "ulong"), (24, "ulong") }));
    }

    [Test]
    public void KeywordsAndSelfNamedFieldsAreEscaped()
    {
        var s = Struct("struct x { __u32 x; __u32 class; __u32 __reserved; };", "x");
        Assert.That(s.Fields.Select(f => f.CsName), Is.EqualTo(new[] { "x_", "@class", "__reserved" }));
        Assert.That(s.Fields.Select(f => f.CName), Is.EqualTo(new[] { "x", "class", "__reserved" }));
    }

    [Test]
    public void EnumFlagsDetection()
    {
        var model = ModelRunner.Model("""
            enum f1 { F1_A = 1 << 0, F1_B = 1 << 1, F1_C = 1 << 2 };
            enum f2 { F2_NONE = 0, F2_X = 1 };
            enum f3 { F3_A, F3_B, F3_C };
            enum f4 { F4_ONLY = 1 };
            enum f5 { F5_NEG = -1, F5_ONE = 1 };
            """);
        Assert.That(model.Enums.Select(e => (e.CsName, e.Flags, e.Underlying)), Is.EqualTo(new[]
        {
            ("f1", true, "uint"), ("f2", false, "uint"), ("f3", false, "uint"), ("f4", true, "uint"), ("f5", false, "int"),
        }));
    }
}

using System.Buffers.Binary;
using System.Text.Json.Nodes;
using IommuFd.Interop;
using IommuFd.Conformance.Layout;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>A union member over a user address (iommu_test_cmd's access_rw.flags over
/// access_pages.uptr) prints as a slice of the symbol, the same wherever the buffer lies.</summary>
public sealed class SymbolSliceTests
{
    private const int Union = 16, Uptr = Union + 24; // access_pages.uptr; access_rw.flags shares its low half

    [Test]
    public void OverlappingMemberPrintsTheSameForBuffersAnywhere()
    {
        JsonObject low = Decode(buffer: 0x7f00_d500_0000, offset: 4096);
        JsonObject high = Decode(buffer: 0x7ffe_1234_0000, offset: 4096);

        Assert.That(low.ToJsonString(), Is.EqualTo(high.ToJsonString()));
        Assert.That(low["access_pages"]!["uptr"]!.GetValue<string>(), Is.EqualTo("@h+4096"));
        Assert.That(low["access_rw"]!["flags"]!.GetValue<string>(), Is.EqualTo("@h+4096[0:4]"));
    }

    [Test]
    public void OverlappingMemberStillDiffersWhenTheAddressDoes()
    {
        JsonObject one = Decode(buffer: 0x7f00_d500_0000, offset: 0);
        JsonObject other = Decode(buffer: 0x7f00_d500_0000, offset: 8192);

        Assert.That(one["access_rw"]!["flags"]!.GetValue<string>(), Is.EqualTo("@h+0[0:4]"));
        Assert.That(other["access_rw"]!["flags"]!.GetValue<string>(), Is.EqualTo("@h+8192[0:4]"));
    }

    [Test]
    public void FieldPartlyOverAnAddressShowsItsOtherBytesAsHex()
    {
        var symbols = new SymbolSlices();
        symbols.Add(8, "@a+0");
        byte[] bytes = [0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4, 5, 6, 7, 8];

        Assert.That(symbols.Describe(bytes, 4, 8), Is.EqualTo("hex:aabbccdd @a+0[0:4]"));
        Assert.That(symbols.Overlaps(0, 8), Is.False);
    }

    [Test]
    public void SliceParsesBackToTheBytesItNames()
    {
        Assert.That(SymbolicSlice.TryParse("@h+0x1000[4:8]", out string buffer, out ulong offset, out int from, out int to), Is.True);
        Assert.That((buffer, offset, from, to), Is.EqualTo(("h", 4096UL, 4, 8)));
        Assert.That(SymbolicSlice.Of(0x7f00_d500_1000, 0, 4), Is.EqualTo(0xd500_1000UL));
        Assert.That(SymbolicSlice.Of(0x7f00_d500_1000, 4, 8), Is.EqualTo(0x7f00UL));
        Assert.That(SymbolicSlice.TryParse("@h+0[4:9]", out _, out _, out _, out _), Is.False);
    }

    private static JsonObject Decode(ulong buffer, ulong offset)
    {
        CStruct layout = CStructReflector.Describe(typeof(iommu_test_cmd));
        var bytes = new byte[layout.Size];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(Uptr), buffer + offset);
        return CStructCodec.Read(layout, bytes, v => v >= buffer && v - buffer <= 1UL << 21 ? SymbolicAddress.Format("h", v - buffer) : null);
    }
}

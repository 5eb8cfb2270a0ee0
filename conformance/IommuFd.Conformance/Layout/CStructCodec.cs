using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace IommuFd.Conformance.Layout;

/// <summary>Turns the bytes of a C struct into a JSON object keyed by C field names and back.</summary>
/// <remarks>Unsigned 8-byte values go through a symbolizer on the way out, so user addresses print
/// as <c>"@a+OFF"</c> (and other fields over their bytes as slices of them); on the way in every scalar comes from a resolver, which understands
/// references and symbolic addresses (see <see cref="Replay.ValueResolver"/>).</remarks>
public static class CStructCodec
{
    /// <summary>Reads every field of <paramref name="layout"/> from <paramref name="bytes"/>.</summary>
    /// <remarks>A field whose bytes overlap a value printed symbolically (a union member over a user
    /// address, as <c>access_rw.flags</c> over <c>access_pages.uptr</c> in <c>iommu_test_cmd</c>) prints
    /// those bytes as a slice of the symbol, <c>"@a+OFF[0:4]"</c>, so it reads the same wherever the
    /// buffer was mapped (see <see cref="SymbolSlices"/>).</remarks>
    /// <param name="layout">The struct.</param>
    /// <param name="bytes">At least <c>layout.Size</c> bytes.</param>
    /// <param name="symbolize">Maps an 8-byte unsigned value to a symbolic string, or null to keep the number.</param>
    public static JsonObject Read(CStruct layout, ReadOnlySpan<byte> bytes, Func<ulong, string?> symbolize)
    {
        var symbols = new SymbolSlices();
        FindSymbols(layout, bytes, 0, symbolize, symbols);
        return ReadStruct(layout, bytes, 0, symbols);
    }

    /// <summary>Every 8-byte unsigned field whose value symbolizes, by its offset in the outer struct.</summary>
    private static void FindSymbols(CType type, ReadOnlySpan<byte> bytes, int at, Func<ulong, string?> symbolize, SymbolSlices symbols)
    {
        switch (type)
        {
            case CScalar { ByteCount: 8, Signed: false }:
                if (symbolize(ReadScalar(8, bytes[at..])) is { } symbol)
                    symbols.Add(at, symbol);
                break;
            case CArray array:
                for (int i = 0; i < array.Count; i++)
                    FindSymbols(array.Element, bytes, at + i * array.Element.Size, symbolize, symbols);
                break;
            case CStruct nested:
                foreach (CField field in nested.Fields)
                    FindSymbols(field.Type, bytes, at + field.Offset, symbolize, symbols);
                break;
        }
    }

    private static JsonObject ReadStruct(CStruct layout, ReadOnlySpan<byte> bytes, int at, SymbolSlices symbols)
    {
        var result = new JsonObject();
        foreach (CField field in layout.Fields)
            result[field.Name] = ReadValue(field.Type, bytes, at + field.Offset, symbols);
        return result;
    }

    private static JsonNode ReadValue(CType type, ReadOnlySpan<byte> bytes, int at, SymbolSlices symbols)
    {
        switch (type)
        {
            case CScalar scalar:
                if (scalar is { ByteCount: 8, Signed: false } && symbols.At(at) is { } symbol)
                    return JsonValue.Create(symbol);
                if (symbols.Overlaps(at, scalar.ByteCount))
                    return JsonValue.Create(symbols.Describe(bytes, at, scalar.ByteCount));
                ulong raw = ReadScalar(scalar.ByteCount, bytes[at..]);
                return scalar.Signed ? JsonValue.Create(SignExtend(raw, scalar.ByteCount)) : JsonValue.Create(raw);
            case CArray array:
                var items = new JsonArray();
                for (int i = 0; i < array.Count; i++)
                    items.Add(ReadValue(array.Element, bytes, at + i * array.Element.Size, symbols));
                return items;
            case CStruct nested:
                return ReadStruct(nested, bytes, at, symbols);
            default:
                throw new NotSupportedException(type.ToString());
        }
    }

    /// <summary>Writes the fields named in <paramref name="values"/> into <paramref name="bytes"/>;
    /// fields not named keep their bytes.</summary>
    /// <param name="layout">The struct.</param>
    /// <param name="bytes">At least <c>layout.Size</c> bytes.</param>
    /// <param name="values">Field values by C name: scalars, arrays, nested objects.</param>
    /// <param name="resolve">Turns a JSON scalar into the integer to store (numbers, references, symbols).</param>
    /// <param name="path">Where <paramref name="values"/> sits, for error messages.</param>
    /// <exception cref="TraceFormatException">Unknown field, wrong shape, or a value that does not fit.</exception>
    public static void Write(CStruct layout, Span<byte> bytes, JsonObject values, Func<JsonNode, string, ulong> resolve, string path = "arg")
    {
        foreach (KeyValuePair<string, JsonNode?> entry in values)
        {
            CField field = layout.Find(entry.Key)
                ?? throw new TraceFormatException($"{path}: struct {layout.Name} has no field '{entry.Key}' (fields: {string.Join(", ", layout.Fields.Select(f => f.Name))})");
            WriteValue(field.Type, bytes[field.Offset..], entry.Value, resolve, $"{path}.{entry.Key}");
        }
    }

    private static void WriteValue(CType type, Span<byte> bytes, JsonNode? value, Func<JsonNode, string, ulong> resolve, string path)
    {
        if (value is null)
            throw new TraceFormatException($"{path}: null is not a value");
        switch (type)
        {
            case CScalar scalar:
                if (value is not JsonValue)
                    throw new TraceFormatException($"{path}: expected a number or a string value, got {value.ToJsonString()}");
                ulong number = resolve(value, path);
                CheckFits(number, scalar, path, value);
                WriteScalar(scalar.ByteCount, bytes, number);
                break;
            case CArray array:
                if (value is not JsonArray items)
                    throw new TraceFormatException($"{path}: expected an array of {array.Count}");
                if (items.Count > array.Count)
                    throw new TraceFormatException($"{path}: {items.Count} elements for an array of {array.Count}");
                for (int i = 0; i < items.Count; i++)
                    WriteValue(array.Element, bytes[(i * array.Element.Size)..], items[i], resolve, $"{path}[{i}]");
                break;
            case CStruct nested:
                if (value is not JsonObject fields)
                    throw new TraceFormatException($"{path}: expected an object for struct {nested.Name}");
                Write(nested, bytes, fields, resolve, path);
                break;
        }
    }

    private static void CheckFits(ulong number, CScalar scalar, string path, JsonNode value)
    {
        if (scalar.ByteCount == 8)
            return;
        int bits = scalar.ByteCount * 8;
        ulong max = (1UL << bits) - 1;
        bool fitsUnsigned = number <= max;
        // Negative numbers arrive sign-extended to 64 bits.
        bool fitsSigned = (long)number < 0 && (long)number >= -(1L << (bits - 1));
        if (!fitsUnsigned && !fitsSigned)
            throw new TraceFormatException($"{path}: {value.ToJsonString()} does not fit in {scalar.ByteCount} bytes");
    }

    /// <summary>Reads a little-endian unsigned integer of 1, 2, 4 or 8 bytes.</summary>
    public static ulong ReadScalar(int byteCount, ReadOnlySpan<byte> bytes) => byteCount switch
    {
        1 => bytes[0],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        8 => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        _ => throw new NotSupportedException($"{byteCount}-byte scalar"),
    };

    /// <summary>Writes the low <paramref name="byteCount"/> bytes of <paramref name="value"/>, little-endian.</summary>
    public static void WriteScalar(int byteCount, Span<byte> bytes, ulong value)
    {
        switch (byteCount)
        {
            case 1: bytes[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)value); break;
            case 8: BinaryPrimitives.WriteUInt64LittleEndian(bytes, value); break;
            default: throw new NotSupportedException($"{byteCount}-byte scalar");
        }
    }

    private static long SignExtend(ulong raw, int byteCount)
    {
        int shift = 64 - byteCount * 8;
        return (long)(raw << shift) >> shift;
    }
}

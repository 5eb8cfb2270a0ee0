namespace IommuFd.Conformance.Layout;

/// <summary>The 8-byte values of one struct that print symbolically (user addresses, <c>"@a+OFF"</c>),
/// by offset, and how another field over their bytes prints: as the slice of the symbol it shows.</summary>
/// <remarks>The raw bytes of an address differ between runs and backends (the buffer is mapped
/// elsewhere), so a union member over them, printed as a number, would too. Printed as
/// <c>"@a+OFF[I:J]"</c> (bytes I to J-1 of the little-endian address) it is the same wherever the
/// buffer lies, and still differs when the address does. Bytes of the field outside any address
/// print as <c>"hex:..."</c> in memory order; the pieces are joined by spaces, lowest byte first.</remarks>
internal sealed class SymbolSlices
{
    private const int Width = 8;
    private readonly SortedList<int, string> _byOffset = [];

    /// <summary>Records that the 8 bytes at <paramref name="offset"/> print as <paramref name="symbol"/>.</summary>
    public void Add(int offset, string symbol) => _byOffset.TryAdd(offset, symbol);

    /// <summary>The symbol of the 8 bytes starting at <paramref name="offset"/>, or null.</summary>
    public string? At(int offset) => _byOffset.GetValueOrDefault(offset);

    /// <summary>Whether any byte of <c>[offset, offset+count)</c> belongs to a symbolic value.</summary>
    public bool Overlaps(int offset, int count)
    {
        for (int b = offset; b < offset + count; b++)
            if (Containing(b) is not null)
                return true;
        return false;
    }

    /// <summary>The field's bytes <c>[offset, offset+count)</c> as symbol slices and hex pieces.</summary>
    public string Describe(ReadOnlySpan<byte> bytes, int offset, int count)
    {
        var pieces = new List<string>();
        int position = offset, end = offset + count;
        while (position < end)
        {
            if (Containing(position) is int start)
            {
                int stop = Math.Min(end, start + Width);
                pieces.Add($"{_byOffset[start]}[{position - start}:{stop - start}]");
                position = stop;
            }
            else
            {
                int stop = position + 1;
                while (stop < end && Containing(stop) is null) stop++;
                pieces.Add("hex:" + Convert.ToHexStringLower(bytes[position..stop]));
                position = stop;
            }
        }
        return string.Join(' ', pieces);
    }

    /// <summary>The start of the symbolic value holding byte <paramref name="b"/>, or null.</summary>
    private int? Containing(int b)
    {
        foreach (int start in _byOffset.Keys)
            if (b >= start && b < start + Width)
                return start;
        return null;
    }
}

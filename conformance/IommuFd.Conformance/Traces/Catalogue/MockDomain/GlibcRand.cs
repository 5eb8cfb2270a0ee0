namespace IommuFd.Conformance.Traces.Catalogue;

/// <summary>glibc's rand() (the TYPE_3 additive feedback generator), so a trace can repeat the order a
/// selftest draws. The selftests never call srand and the harness forks every test from a parent that
/// never called rand, so each test starts at seed 1.</summary>
public sealed class GlibcRand
{
    private readonly List<long> _r;
    private int _k = 344;

    /// <summary>The generator after srand(<paramref name="seed"/>), its first 344 outputs discarded as glibc does.</summary>
    public GlibcRand(int seed = 1)
    {
        _r = [seed];
        for (int k = 1; k < 31; k++)
        {
            long word = 16807 * (_r[k - 1] % 127773) - 2836 * (_r[k - 1] / 127773);
            _r.Add(word < 0 ? word + 2147483647 : word);
        }
        _r.AddRange(_r.Take(3).ToList());
        for (int k = 34; k < 344; k++)
            _r.Add((_r[k - 31] + _r[k - 3]) & 0xFFFFFFFF);
    }

    /// <summary>The next rand() value.</summary>
    public int Next()
    {
        _r.Add((_r[_k - 31] + _r[_k - 3]) & 0xFFFFFFFF);
        return (int)(_r[_k++] >> 1);
    }

    /// <summary>The selftests' shuffle_array as written (the swap partner is rand() % (n - i), not i + that),
    /// from seed 1.</summary>
    public static T[] Shuffle<T>(IEnumerable<T> items)
    {
        var rand = new GlibcRand();
        T[] array = items.ToArray();
        for (int k = 0; k < array.Length; k++)
        {
            int other = rand.Next() % (array.Length - k);
            (array[k], array[other]) = (array[other], array[k]);
        }
        return array;
    }
}

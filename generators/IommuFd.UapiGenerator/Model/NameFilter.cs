using System;
using System.Linq;

namespace IommuFd.UapiGenerator.Model;

/// <summary>The <c>Filter</c> metadata of a header: name prefixes separated by ';' (empty: every name).</summary>
internal sealed class NameFilter
{
    private readonly string[] _prefixes;

    public NameFilter(string? filter) =>
        _prefixes = (filter ?? "").Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries).Select(f => f.Trim()).Where(f => f.Length > 0).ToArray();

    public bool Selects(string name) => _prefixes.Length == 0 || _prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
}

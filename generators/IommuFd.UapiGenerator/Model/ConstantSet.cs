using System;
using System.Collections.Generic;

namespace IommuFd.UapiGenerator.Model;

/// <summary>The constants of a header class, in order, each name once (names are shared by
/// enumerators, macros and ioctls).</summary>
internal sealed class ConstantSet
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public List<ConstantModel> Items { get; } = new();

    /// <summary>Claims <paramref name="name"/>; false when it is taken.</summary>
    public bool Claim(string name) => _names.Add(name);

    public bool TryAdd(ConstantModel constant)
    {
        if (!Claim(constant.Name)) return false;
        Items.Add(constant);
        return true;
    }
}

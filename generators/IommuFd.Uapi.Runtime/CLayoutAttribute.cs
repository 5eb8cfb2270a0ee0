namespace IommuFd.Uapi;

/// <summary>The C layout the generator computed for a struct or union on its target profile:
/// what gcc reports as <c>sizeof</c> and <c>_Alignof</c>.</summary>
[AttributeUsage(AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class CLayoutAttribute(int size, int alignment) : Attribute
{
    /// <summary>C <c>sizeof</c>, never counting a flexible array member.</summary>
    public int Size { get; } = size;

    /// <summary>C <c>_Alignof</c>.</summary>
    public int Alignment { get; } = alignment;
}

using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using IommuFd.Uapi;

namespace IommuFd.Conformance.Layout;

/// <summary>Builds the <see cref="CStruct"/> model of a generated struct type from its attributes
/// (<c>[CName]</c>, <c>[FieldOffset]</c>, <c>[CLayout]</c>), once per type.</summary>
/// <remarks>Nested structs and unions recurse; fixed arrays may be <c>[InlineArray(N)]</c> types or
/// C# <c>fixed</c> buffers; enum-typed fields count as their underlying integer.</remarks>
public static class CStructReflector
{
    private static readonly ConcurrentDictionary<Type, CStruct> Cache = new();

    /// <summary>The layout of <paramref name="type"/>, built on first use and cached.</summary>
    /// <exception cref="NotSupportedException">A field has a type the model cannot express.</exception>
    public static CStruct Describe(Type type) => Cache.GetOrAdd(type, Build);

    private static CStruct Build(Type type)
    {
        if (!type.IsValueType)
            throw new NotSupportedException($"{type.FullName} is not a struct");
        var fields = new List<(CField Field, int Order)>();
        int order = 0;
        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            int offset = OffsetOf(type, field);
            fields.Add((new CField(CNameOf(field), offset, TypeOf(field)), order++));
        }
        var ordered = fields.OrderBy(f => f.Field.Offset).ThenBy(f => f.Order).Select(f => f.Field).ToArray();
        return new CStruct(TagOf(type), SizeOf(type), ordered);
    }

    private static CType TypeOf(FieldInfo field)
    {
        FixedBufferAttribute? fixedBuffer = field.GetCustomAttribute<FixedBufferAttribute>();
        if (fixedBuffer is not null)
            return new CArray(ScalarOrThrow(fixedBuffer.ElementType, field), fixedBuffer.Length);
        return TypeOf(field.FieldType, field);
    }

    private static CType TypeOf(Type type, FieldInfo field)
    {
        CScalar? scalar = Scalar(type);
        if (scalar is not null)
            return scalar;
        InlineArrayAttribute? inline = type.GetCustomAttribute<InlineArrayAttribute>();
        if (inline is not null)
        {
            FieldInfo element = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Single();
            return new CArray(TypeOf(element.FieldType, element), inline.Length);
        }
        if (type.IsValueType && !type.IsPrimitive && !type.IsEnum)
            return Describe(type);
        throw new NotSupportedException($"field {field.DeclaringType?.Name}.{field.Name} has unsupported type {type}");
    }

    private static CScalar ScalarOrThrow(Type type, FieldInfo field) =>
        Scalar(type) ?? throw new NotSupportedException($"fixed buffer {field.Name} of {type}");

    private static CScalar? Scalar(Type type)
    {
        if (type.IsEnum)
            type = Enum.GetUnderlyingType(type);
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Byte or TypeCode.Boolean => new CScalar(1, false),
            TypeCode.SByte => new CScalar(1, true),
            TypeCode.UInt16 or TypeCode.Char => new CScalar(2, false),
            TypeCode.Int16 => new CScalar(2, true),
            TypeCode.UInt32 => new CScalar(4, false),
            TypeCode.Int32 => new CScalar(4, true),
            TypeCode.UInt64 => new CScalar(8, false),
            TypeCode.Int64 => new CScalar(8, true),
            _ when type == typeof(nuint) => new CScalar(IntPtr.Size, false),
            _ when type == typeof(nint) => new CScalar(IntPtr.Size, true),
            _ => null,
        };
    }

    private static int OffsetOf(Type type, FieldInfo field)
    {
        FieldOffsetAttribute? explicitOffset = field.GetCustomAttribute<FieldOffsetAttribute>();
        return explicitOffset?.Value ?? (int)Marshal.OffsetOf(type, field.Name);
    }

    private static string CNameOf(FieldInfo field) =>
        field.GetCustomAttribute<CNameAttribute>()?.Name is { Length: > 0 } name ? name : field.Name;

    private static string TagOf(Type type)
    {
        string? name = type.GetCustomAttribute<CNameAttribute>()?.Name;
        if (string.IsNullOrEmpty(name))
            return type.Name;
        // "struct iommu_ioas_map" -> "iommu_ioas_map"
        int space = name.LastIndexOf(' ');
        return space < 0 ? name : name[(space + 1)..];
    }

    private static int SizeOf(Type type)
    {
        CLayoutAttribute? layout = type.GetCustomAttribute<CLayoutAttribute>();
        if (layout is not null)
            return layout.Size;
        return type.StructLayoutAttribute is { Size: > 0 } declared ? declared.Size : Marshal.SizeOf(type);
    }
}

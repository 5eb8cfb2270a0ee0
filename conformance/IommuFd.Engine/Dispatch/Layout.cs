using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IommuFd.Engine.Dispatch;

/// <summary>sizeof and offsetofend read from the generated struct types, so the table never
/// repeats a layout.</summary>
internal static class Layout
{
    public static int SizeOf<T>() where T : unmanaged => Unsafe.SizeOf<T>();

    /// <summary>offsetofend(T, field).</summary>
    public static int OffsetOfEnd<T>(string field) where T : unmanaged
    {
        FieldInfo info = typeof(T).GetField(field, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no field {field}");
        int offset = (int)Marshal.OffsetOf<T>(field);
        return offset + FieldSize(info.FieldType);
    }

    private static int FieldSize(Type t)
    {
        if (t.IsPrimitive) return Marshal.SizeOf(t);
        // Inline arrays and nested structs: ask the runtime.
        return (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;
    }
}

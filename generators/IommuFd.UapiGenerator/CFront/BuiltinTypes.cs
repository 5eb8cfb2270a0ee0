using System.Collections.Generic;

namespace IommuFd.UapiGenerator.CFront;

/// <summary>A scalar C type with its LP64 size and alignment and the C# type it maps to.</summary>
internal sealed class ScalarType
{
    public ScalarType(string cName, int size, int align, bool signed, string csName)
    {
        CName = cName;
        Size = size;
        Align = align;
        Signed = signed;
        CsName = csName;
    }

    public string CName { get; }
    public int Size { get; }
    public int Align { get; }
    public bool Signed { get; }
    public string CsName { get; }

    public static string CsFor(int size, bool signed) => (size, signed) switch
    {
        (1, false) => "byte",
        (1, true) => "sbyte",
        (2, false) => "ushort",
        (2, true) => "short",
        (4, false) => "uint",
        (4, true) => "int",
        (8, false) => "ulong",
        _ => "long",
    };
}

/// <summary>The scalar types of &lt;linux/types.h&gt; and plain C, for LP64 targets (x86_64,
/// aarch64, ppc64le, mips64, sparc64). The generator knows them instead of reading libc headers.</summary>
internal static class BuiltinTypes
{
    private static readonly Dictionary<string, ScalarType> Named = Build();

    private static Dictionary<string, ScalarType> Build()
    {
        var map = new Dictionary<string, ScalarType>();
        void Add(string name, int size, bool signed, int align = 0) =>
            map[name] = new ScalarType(name, size, align == 0 ? size : align, signed, ScalarType.CsFor(size, signed));
        foreach (var bits in new[] { 8, 16, 32, 64 })
        {
            int size = bits / 8;
            Add("__u" + bits, size, false);
            Add("__s" + bits, size, true);
            Add("u" + bits, size, false);
            Add("s" + bits, size, true);
            Add("uint" + bits + "_t", size, false);
            Add("int" + bits + "_t", size, true);
            if (bits > 8)
            {
                Add("__le" + bits, size, false);
                Add("__be" + bits, size, false);
            }
        }
        Add("__aligned_u64", 8, false, 8);
        Add("__aligned_s64", 8, true, 8);
        Add("__aligned_le64", 8, false, 8);
        Add("__aligned_be64", 8, false, 8);
        Add("__sum16", 2, false);
        Add("__wsum", 4, false);
        Add("__poll_t", 4, false);
        Add("__kernel_size_t", 8, false);
        Add("__kernel_ssize_t", 8, true);
        Add("__kernel_ptrdiff_t", 8, true);
        Add("__kernel_long_t", 8, true);
        Add("__kernel_ulong_t", 8, false);
        Add("__kernel_off_t", 8, true);
        Add("__kernel_loff_t", 8, true);
        Add("__kernel_time_t", 8, true);
        Add("__kernel_time64_t", 8, true);
        Add("__kernel_old_time_t", 8, true);
        Add("__kernel_clock_t", 8, true);
        Add("__kernel_suseconds_t", 8, true);
        Add("__kernel_caddr_t", 8, false);
        Add("__kernel_ino_t", 8, false);
        Add("__kernel_uoff_t", 8, false);
        Add("__kernel_uid16_t", 2, false);
        Add("__kernel_gid16_t", 2, false);
        Add("__kernel_pid_t", 4, true);
        Add("__kernel_ipc_pid_t", 4, true);
        Add("__kernel_uid_t", 4, false);
        Add("__kernel_gid_t", 4, false);
        Add("__kernel_uid32_t", 4, false);
        Add("__kernel_gid32_t", 4, false);
        Add("__kernel_old_uid_t", 4, false);
        Add("__kernel_old_gid_t", 4, false);
        Add("__kernel_old_dev_t", 4, false);
        Add("__kernel_mode_t", 4, false);
        Add("__kernel_daddr_t", 4, true);
        Add("__kernel_key_t", 4, true);
        Add("__kernel_mqd_t", 4, true);
        Add("__kernel_timer_t", 4, true);
        Add("__kernel_clockid_t", 4, true);
        Add("__kernel_rwf_t", 4, true);
        Add("__kernel_sa_family_t", 2, false);
        Add("size_t", 8, false);
        Add("ssize_t", 8, true);
        Add("_Bool", 1, false);
        Add("bool", 1, false);
        return map;
    }

    /// <summary>Words that can appear in a type made of C keywords.</summary>
    public static bool IsKeywordTypeWord(string word) => word is "unsigned" or "signed" or "char" or "short" or "int" or "long";

    public static bool IsTypeName(string word) => Named.ContainsKey(word) || IsKeywordTypeWord(word) || word == "void";

    /// <summary>A named scalar type as <paramref name="profile"/>'s <c>asm/posix_types.h</c> defines it.</summary>
    public static ScalarType? Lookup(string name, TargetProfile profile) =>
        profile.PosixTypes.TryGetValue(name, out var own) ? own : Named.TryGetValue(name, out var t) ? t : null;

    /// <summary>Combines keyword type words (<c>unsigned long long</c>) into a scalar type, or
    /// null if the combination is not a C integer type.</summary>
    public static ScalarType? FromKeywords(IReadOnlyList<string> words, bool charIsSigned)
    {
        int longs = 0, shorts = 0, chars = 0, ints = 0, unsigned = 0, signed = 0;
        foreach (var w in words)
        {
            switch (w)
            {
                case "long": longs++; break;
                case "short": shorts++; break;
                case "char": chars++; break;
                case "int": ints++; break;
                case "unsigned": unsigned++; break;
                case "signed": signed++; break;
                default: return null;
            }
        }
        if (unsigned + signed > 1 || chars > 1 || ints > 1 || longs > 2 || (shorts > 0 && (longs > 0 || chars > 0))) return null;
        if (chars == 1 && (longs > 0 || ints > 0)) return null;
        string name = string.Join(" ", words);
        if (chars == 1)
        {
            bool s = signed == 1 || (unsigned == 0 && charIsSigned);
            return new ScalarType(name, 1, 1, s, ScalarType.CsFor(1, s));
        }
        bool isSigned = unsigned == 0;
        int size = shorts == 1 ? 2 : longs > 0 ? 8 : 4;
        return new ScalarType(name, size, size, isSigned, ScalarType.CsFor(size, isSigned));
    }
}

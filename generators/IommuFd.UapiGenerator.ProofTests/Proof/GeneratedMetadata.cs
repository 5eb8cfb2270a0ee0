using System.Reflection;
using System.Text.RegularExpressions;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using IommuFd.Uapi;

namespace IommuFd.UapiGenerator.ProofTests.Proof;

/// <summary>A generated struct or union as its attributes describe it, plus what the runtime
/// actually laid out (<see cref="RuntimeSize"/>).</summary>
public sealed partial record CRecord(string CName, Type Type, int Size, int Alignment, int RuntimeSize, IReadOnlyList<CMember> Members)
{
    /// <summary>The C tag without <c>struct</c>/<c>union</c> (with the member path for an
    /// anonymous type: <c>iommu_test_cmd.mock_domain</c>).</summary>
    public string Tag => CName[(CName.IndexOf(' ') + 1)..];

    /// <summary>The type of a named member of anonymous type, which the generator names by its
    /// container and member path (<c>struct iommu_test_cmd.mock_domain</c>).</summary>
    public bool IsAnonymous => CName.Contains('.');

    /// <summary>Whether <see cref="CType"/> is valid C: a named record, or an anonymous one whose
    /// name starts with a real container tag. Records that are not are still proven through the
    /// member paths of their container (<c>arg.pagefault.address</c>).</summary>
    public bool HasCType => IsAnonymous
        ? ContainerRegex().IsMatch(CName)
        : CName.StartsWith("struct ", StringComparison.Ordinal) || CName.StartsWith("union ", StringComparison.Ordinal);

    [System.Text.RegularExpressions.GeneratedRegex(@"^(struct|union) [A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")]
    private static partial System.Text.RegularExpressions.Regex ContainerRegex();

    /// <summary>A C type name for this record: the tag, or for an anonymous type the
    /// <c>typeof</c> of the member that has it.</summary>
    public string CType
    {
        get
        {
            if (!IsAnonymous) return CName;
            int dot = CName.IndexOf('.');
            return $"typeof((({CName[..dot]} *)0)->{CName[(dot + 1)..]})";
        }
    }
}

/// <summary>A member by its C access path (<c>mock_domain.out_stdev_id</c>); <see cref="Size"/>
/// is null for a flexible array member, which only has an offset.</summary>
public sealed record CMember(string Path, int Offset, int? Size, bool IsNested);

/// <summary>A constant, enum member or ioctl request number and the class or enum it is in.</summary>
public sealed record CConstant(string Name, object Value, string Container);

/// <summary>Reads the C facts back out of a loaded generated assembly by reflection.</summary>
public sealed class GeneratedMetadata
{
    private GeneratedMetadata(IReadOnlyList<CRecord> records, IReadOnlyList<CConstant> constants,
        IReadOnlyList<IoctlDescriptor> ioctls, IReadOnlyList<string> problems)
    {
        Records = records;
        Constants = constants;
        Ioctls = ioctls;
        Problems = problems;
    }

    /// <summary>Every type carrying <see cref="CLayoutAttribute"/>.</summary>
    public IReadOnlyList<CRecord> Records { get; }

    /// <summary>Every <c>const</c> with a <see cref="CNameAttribute"/> and every C enum member.</summary>
    public IReadOnlyList<CConstant> Constants { get; }

    /// <summary>The entries of every <c>&lt;ClassName&gt;.Ioctls</c> table.</summary>
    public IReadOnlyList<IoctlDescriptor> Ioctls { get; }

    /// <summary>Generated items the proof cannot check (they count as not covered).</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Constants that lack the contract's [CName] (checked by the contract test).</summary>
    public IReadOnlyList<string> MissingCNames { get; private init; } = [];

    /// <summary>A copy with other records and constants (to show that wrong facts fail the proof).</summary>
    public GeneratedMetadata With(IReadOnlyList<CRecord> records, IReadOnlyList<CConstant> constants) =>
        new(records, constants, Ioctls, Problems) { MissingCNames = MissingCNames, NonCConstants = NonCConstants };

    /// <summary>Constants without [CName] whose name is nowhere in the headers (such as a
    /// header hash): generator metadata, not C facts, so not asserted.</summary>
    public IReadOnlyList<string> NonCConstants { get; private init; } = [];

    /// <summary>Reflects over all types of <paramref name="assembly"/>, generated from
    /// <paramref name="headerTexts"/> (used to tell C constants that lack [CName] from the
    /// generator's own informational constants).</summary>
    public static GeneratedMetadata Read(Assembly assembly, IEnumerable<string> headerTexts)
    {
        string headers = string.Join("\n", headerTexts);
        var nonC = new List<string>();
        var records = new List<CRecord>();
        var constants = new List<CConstant>();
        var ioctls = new List<IoctlDescriptor>();
        var problems = new List<string>();
        var missingCNames = new List<string>();
        foreach (Type type in assembly.GetTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (type.GetCustomAttribute<CLayoutAttribute>() is { } layout)
                records.Add(ReadRecord(type, layout, problems));
            else if (type.IsEnum && type.GetCustomAttribute<CNameAttribute>() is { } enumName)
                constants.AddRange(ReadEnum(type, enumName.Name));
            else if (type.IsAbstract && type.IsSealed)
                ReadStaticClass(type, constants, ioctls, problems, missingCNames, nonC, headers);
        }
        return new GeneratedMetadata(records, constants, ioctls, problems) { MissingCNames = missingCNames, NonCConstants = nonC };
    }

    private static CRecord ReadRecord(Type type, CLayoutAttribute layout, List<string> problems)
    {
        string cname = type.GetCustomAttribute<CNameAttribute>()?.Name ?? "";
        var members = new List<CMember>();
        ReadMembers(type, "", 0, isNested: false, members, problems);
        // Flexible array members: `<field>_Offset` consts on the struct.
        foreach (FieldInfo constant in type.GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                     .Where(f => f.IsLiteral && f.Name.EndsWith("_Offset", StringComparison.Ordinal)))
        {
            string field = constant.Name[..^"_Offset".Length];
            members.Add(new CMember(field, Convert.ToInt32(constant.GetRawConstantValue()), null, IsNested: false));
        }
        var record = new CRecord(cname, type, layout.Size, layout.Alignment, SizeOf(type), members);
        if (!record.HasCType)
            problems.Add($"{type.FullName}: [CName(\"{cname}\")] does not name a C type (expected \"struct|union tag\" or \"struct|union tag.member.path\")");
        return record;
    }

    private static void ReadMembers(Type type, string prefix, int baseOffset, bool isNested, List<CMember> members, List<string> problems)
    {
        foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            if (field.GetCustomAttribute<CNameAttribute>() is null && field.Name.StartsWith("_bits", StringComparison.Ordinal))
                continue; // storage of bitfields, which are properties carrying the C names
            if (field.GetCustomAttribute<FieldOffsetAttribute>() is not { } offsetAttribute)
            {
                problems.Add($"{type.FullName}.{field.Name}: no [FieldOffset]");
                continue;
            }
            int offset = baseOffset + offsetAttribute.Value;
            string? cname = field.GetCustomAttribute<CNameAttribute>()?.Name;
            CLayoutAttribute? nestedLayout = field.FieldType.GetCustomAttribute<CLayoutAttribute>();
            string? nestedTag = field.FieldType.GetCustomAttribute<CNameAttribute>()?.Name;
            bool anonymousRecord = nestedLayout is not null && (nestedTag is null || !nestedTag.Contains(' ') || nestedTag.Contains('.'));
            if (string.IsNullOrEmpty(cname))
            {
                // An anonymous struct/union member: its fields are reached without a name.
                if (anonymousRecord)
                    ReadMembers(field.FieldType, prefix, offset, isNested: true, members, problems);
                else
                    problems.Add($"{type.FullName}.{field.Name}: no [CName]");
                continue;
            }
            string path = prefix + cname;
            members.Add(new CMember(path, offset, SizeOf(field.FieldType), isNested));
            // Members of a nested struct are reachable by the C access path too (header.id).
            if (nestedLayout is not null)
                ReadMembers(field.FieldType, path + ".", offset, isNested: true, members, problems);
        }
    }

    private static IEnumerable<CConstant> ReadEnum(Type type, string cname)
    {
        foreach (FieldInfo member in type.GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            string name = member.GetCustomAttribute<CNameAttribute>()?.Name ?? member.Name;
            object value = Convert.ChangeType(member.GetRawConstantValue()!, Enum.GetUnderlyingType(type));
            yield return new CConstant(name, value, cname);
        }
    }

    private static void ReadStaticClass(Type type, List<CConstant> constants, List<IoctlDescriptor> ioctls, List<string> problems,
        List<string> missingCNames, List<string> nonC, string headers)
    {
        foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
        {
            if (field.IsLiteral)
            {
                // The contract puts [CName] on every constant; without it the field name is the C name.
                string? cname = field.GetCustomAttribute<CNameAttribute>()?.Name;
                if (cname is null && !Regex.IsMatch(headers, $@"\b{Regex.Escape(field.Name)}\b"))
                {
                    nonC.Add($"{type.Name}.{field.Name}");
                    continue;
                }
                if (cname is null) missingCNames.Add($"{type.Name}.{field.Name}");
                constants.Add(new CConstant(cname ?? field.Name, field.GetRawConstantValue()!, type.Name));
            }
            else if (field.Name == "Ioctls")
                ioctls.AddRange(ReadIoctlTable(field.GetValue(null), type, problems));
        }
        if (type.GetProperty("Ioctls", BindingFlags.Public | BindingFlags.Static) is { } property)
            ioctls.AddRange(ReadIoctlTable(property.GetValue(null), type, problems));
    }

    private static IEnumerable<IoctlDescriptor> ReadIoctlTable(object? table, Type owner, List<string> problems)
    {
        if (table is IEnumerable<IoctlDescriptor> descriptors)
            return descriptors;
        problems.Add($"{owner.FullName}.Ioctls is not a sequence of IoctlDescriptor");
        return [];
    }

    /// <summary>What the runtime lays out for <paramref name="type"/> (Unsafe.SizeOf).</summary>
    public static int SizeOf(Type type)
    {
        if (type.IsPointer || type == typeof(nint) || type == typeof(nuint)) return IntPtr.Size;
        if (type.IsEnum) type = Enum.GetUnderlyingType(type);
        return (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;
    }
}

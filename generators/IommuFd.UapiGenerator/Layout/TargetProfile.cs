using System;
using System.Collections.Generic;
using System.Linq;
using IommuFd.Uapi;

namespace IommuFd.UapiGenerator;

/// <summary>The ABI the generator lays structs out for and encodes ioctl numbers with. All
/// profiles are LP64 (long and pointers are 8 bytes, __u64 is 8-aligned); they differ in the
/// sign of plain char, the ioctl encoding and the predefined architecture macros.</summary>
internal sealed record TargetProfile(string Name, IocEncoding Encoding, bool CharIsSigned, string[] Defines)
{
    public const string DefaultName = "x86_64";

    public static readonly IReadOnlyList<TargetProfile> All = new[]
    {
        new TargetProfile("x86_64", IocEncoding.Generic, true, new[] { "__x86_64__" }),
        new TargetProfile("aarch64", IocEncoding.Generic, false, new[] { "__aarch64__" }),
        new TargetProfile("riscv64", IocEncoding.Generic, false, new[] { "__riscv" }),
        new TargetProfile("ppc64le", IocEncoding.PowerPc, false, new[] { "__powerpc64__", "__powerpc__" }),
        new TargetProfile("mips64", IocEncoding.Mips, true, new[] { "__mips__" }),
        new TargetProfile("sparc64", IocEncoding.Sparc, true, new[] { "__sparc__" }),
    };

    public static TargetProfile? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) name = DefaultName;
        return All.FirstOrDefault(p => string.Equals(p.Name, name!.Trim(), StringComparison.OrdinalIgnoreCase));
    }

    public static string Names => string.Join(", ", All.Select(p => p.Name));
}

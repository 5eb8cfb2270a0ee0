using System;
using System.Collections.Generic;
using System.Linq;
using IommuFd.Uapi;
using IommuFd.UapiGenerator.CFront;

namespace IommuFd.UapiGenerator;

/// <summary>The ABI the generator lays structs out for and encodes ioctl numbers with. All
/// profiles are LP64 (long and pointers are 8 bytes, __u64 is 8-aligned); they differ in the
/// sign of plain char, byte order, the ioctl encoding, the predefined architecture macros and
/// the types their <c>asm/posix_types.h</c> defines apart from asm-generic's.</summary>
internal sealed record TargetProfile(string Name, IocEncoding Encoding, bool CharIsSigned, bool BigEndian, string[] Defines,
    IReadOnlyDictionary<string, ScalarType> PosixTypes)
{
    public const string DefaultName = "x86_64";

    public static readonly IReadOnlyList<TargetProfile> All = new[]
    {
        // arch/x86/include/uapi/asm/posix_types_64.h
        new TargetProfile("x86_64", IocEncoding.Generic, true, false, new[] { "__x86_64__" },
            Types(("__kernel_old_uid_t", 2, false), ("__kernel_old_gid_t", 2, false), ("__kernel_old_dev_t", 8, false))),
        // arch/arm64/include/uapi/asm/posix_types.h
        new TargetProfile("aarch64", IocEncoding.Generic, false, false, new[] { "__aarch64__" },
            Types(("__kernel_old_uid_t", 2, false), ("__kernel_old_gid_t", 2, false))),
        new TargetProfile("riscv64", IocEncoding.Generic, false, false, new[] { "__riscv" }, Types()),
        // arch/powerpc/include/uapi/asm/posix_types.h (64-bit)
        new TargetProfile("ppc64le", IocEncoding.PowerPc, false, false, new[] { "__powerpc64__", "__powerpc__" },
            Types(("__kernel_old_dev_t", 8, false), ("__kernel_ipc_pid_t", 2, true))),
        // arch/mips/include/uapi/asm/posix_types.h (big-endian mips64)
        new TargetProfile("mips64", IocEncoding.Mips, true, true, new[] { "__mips__" }, Types(("__kernel_daddr_t", 8, true))),
        // arch/sparc/include/uapi/asm/posix_types.h (__arch64__)
        new TargetProfile("sparc64", IocEncoding.Sparc, true, true, new[] { "__sparc__", "__arch64__" },
            Types(("__kernel_old_uid_t", 2, false), ("__kernel_old_gid_t", 2, false), ("__kernel_suseconds_t", 4, true))),
    };

    private static IReadOnlyDictionary<string, ScalarType> Types(params (string Name, int Size, bool Signed)[] types) =>
        types.ToDictionary(t => t.Name, t => new ScalarType(t.Name, t.Size, t.Size, t.Signed, ScalarType.CsFor(t.Size, t.Signed)), StringComparer.Ordinal);

    public static TargetProfile? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) name = DefaultName;
        return All.FirstOrDefault(p => string.Equals(p.Name, name!.Trim(), StringComparison.OrdinalIgnoreCase));
    }

    public static string Names => string.Join(", ", All.Select(p => p.Name));
}

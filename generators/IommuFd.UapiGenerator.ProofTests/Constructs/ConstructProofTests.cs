using IommuFd.UapiGenerator.ProofTests.Gcc;
using IommuFd.UapiGenerator.Testing;
using IommuFd.UapiGenerator.ProofTests.Proof;
using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.ProofTests.Constructs;

/// <summary>uAPI constructs that once dropped or mislaid structs, each generated for x86_64 and
/// aarch64 and proven with gcc of that architecture: every record expected must come out, with
/// no warning, and its size, alignment and member offsets must be gcc's.</summary>
public sealed class ConstructProofTests
{
    /// <summary>A construct: the header text, the records it must produce and extra gcc options.</summary>
    public sealed record Construct(string Name, string Header, string[] Records, string[] GccArgs)
    {
        public override string ToString() => Name;
    }

    private static readonly Construct[] All =
    [
        // (A) asm/posix_types.h differs per architecture: x86_64's old dev_t is a long, both
        // have 16-bit old uid/gid.
        new("posix_types", """
            #include <linux/types.h>
            #include <linux/posix_types.h>
            struct r1 { int a; __kernel_old_dev_t d; __kernel_old_uid_t u; __kernel_old_gid_t g; __kernel_ino_t i; };
            """, ["struct r1"], []),
        // (B) the flexible-array wrapper of <linux/stddef.h>, twice in one union.
        new("declare_flex_array", """
            #include <linux/types.h>
            #include <linux/stddef.h>
            struct r2 { __u32 n; union { __DECLARE_FLEX_ARRAY(__u8, bytes); __DECLARE_FLEX_ARRAY(__u32, words); }; };
            """, ["struct r2"], []),
        // (C) a GNU [0] array inside a trailing anonymous union, and one used as a marker.
        new("zero_length_in_union", """
            #include <linux/types.h>
            struct r3 { __u32 a; union { __u64 b; __u8 c[0]; }; };
            struct r3m { __u8 a; __u64 mark[0]; __u8 b; };
            """, ["struct r3", "struct r3m"], []),
        // (D) a function-like macro in a member declarator.
        new("macro_in_declarator", """
            #include <linux/types.h>
            #define NAME(x) x
            #define PAIR(t, a, b) t a; t b
            struct r4 { __u8 a; __u8 NAME(b); __u16 c; PAIR(__u32, d, e); };
            """, ["struct r4"], []),
        // (E) an inline function's body ends its declaration; the struct after it survives.
        new("inline_function", """
            #include <linux/types.h>
            static __inline__ int r5_helper(int x)
            {
                if (x) { return 1; }
                return 0;
            }
            struct r5 { __u32 a; __u64 b; };
            """, ["struct r5"], []),
        // (F) bitfield order from <asm/byteorder.h>; #error if neither is defined.
        new("bitfield_order", """
            #include <linux/types.h>
            #include <asm/byteorder.h>
            struct r6 {
            #if defined(__LITTLE_ENDIAN_BITFIELD)
                __u8 lo:4, hi:4;
            #elif defined(__BIG_ENDIAN_BITFIELD)
                __u8 hi:4, lo:4;
            #else
            #error "bitfield order"
            #endif
                __u32 after;
            };
            """, ["struct r6"], []),
        // (G) __counted_by on a flexible array (7.3's vfio.h, vhost_types.h, xfrm.h). The
        // installed stddef.h here predates it; 7.3's defines it empty for userspace, as -D does.
        new("counted_by", """
            #include <linux/types.h>
            #include <linux/stddef.h>
            struct r7 { __u32 count; __u32 pad; __u64 items[] __counted_by(count); };
            struct r7le { __le32 count; __u8 data[] __counted_by_le(count); };
            """, ["struct r7", "struct r7le"], ["-D__counted_by(m)=", "-D__counted_by_le(m)="]),
        // __struct_group (variadic MEMBERS...), used across the tree.
        new("struct_group", """
            #include <linux/types.h>
            #include <linux/stddef.h>
            struct r8 { __u32 a; __struct_group(r8_hdr, hdr, , __u32 b; __u16 c;); __u64 d; };
            """, ["struct r8", "struct r8_hdr"], []),
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var gcc in new[] { GccToolchain.X86_64, GccToolchain.Aarch64 })
            foreach (var construct in All)
                yield return new TestCaseData(construct, gcc).SetArgDisplayNames(construct.Name, gcc.Profile);
    }

    [TestCaseSource(nameof(Cases))]
    public void Construct_is_generated_as_gcc_lays_it_out(Construct construct, GccToolchain gcc)
    {
        gcc.RequireInstalled(mandatory: true);
        string dir = Directory.CreateTempSubdirectory("uapi-construct-").FullName;
        try
        {
            string path = Path.Combine(dir, construct.Name + ".h");
            string text = construct.Header.Replace("\r\n", "\n") + "\n";
            File.WriteAllText(path, text);
            var header = new UapiHeader(path, "Constructs", "C_" + construct.Name);
            GenerationOutcome outcome = GeneratorHarness.Generate(GeneratorUnderTest.Create(), [header.Input(text)], gcc.Profile);
            Assert.Multiple(() =>
            {
                Assert.That(outcome.Exceptions, Is.Empty);
                Assert.That(outcome.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()), Is.Empty);
                Assert.That(outcome.CompileErrors.Select(d => d.ToString()), Is.Empty);
            });
            GeneratedMetadata metadata = GeneratedMetadata.Read(InMemoryAssembly.Load(outcome.Output), [text]);
            Assert.That(metadata.Records.Select(r => r.CName), Is.SupersetOf(construct.Records), "records dropped");
            StaticAssertEmitter.Output c = StaticAssertEmitter.Emit(metadata, [path]);
            GccResult result = gcc.CompileObject(c.Source, [dir], construct.GccArgs);
            TestContext.Progress.WriteLine($"[{gcc.Profile}] {construct.Name}: {c.Total} checks, {result.Errors.Count} failed");
            Assert.That(result.ExitCode, Is.Zero, string.Join('\n', result.Errors.Take(20)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

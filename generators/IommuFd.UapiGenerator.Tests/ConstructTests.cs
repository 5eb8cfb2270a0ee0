using IommuFd.UapiGenerator.Model;
using IommuFd.UapiGenerator.Testing;
using IommuFd.UapiGenerator.Tests.Infrastructure;

namespace IommuFd.UapiGenerator.Tests;

/// <summary>uAPI constructs beyond the four headers the bindings use (issue 16's A-H); gcc's
/// values were read with gcc 12 on x86_64 and aarch64-linux-gnu-gcc 12. The proof project checks
/// the same constructs with both compilers.</summary>
public class ConstructTests
{
    private static StructModel Struct(string header, string name, string? profile = null) =>
        ModelRunner.Model(header, profile).Structs.Single(s => s.CsName == name);

    private static int Offset(StructModel s, string field) => s.Fields.Single(f => f.CName == field).Offset;

    private static string[] Ids(string header, string? profile = null) =>
        ModelRunner.Compile(HeaderInput.Inline(header), profile: profile).Diagnostics.Select(d => d.Id).ToArray();

    [TestCase("x86_64", 8, 16, 18, 24)]
    [TestCase("aarch64", 4, 8, 10, 12)]
    public void PosixTypesAreThoseOfTheArchitecture(string profile, int d, int u, int g, int size)
    {
        var s = Struct("struct r1 { int a; __kernel_old_dev_t d; __kernel_old_uid_t u; __kernel_old_gid_t g; };", "r1", profile);
        Assert.That((Offset(s, "d"), Offset(s, "u"), Offset(s, "g"), s.Size), Is.EqualTo((d, u, g, size)));
    }

    [Test]
    public void DeclareFlexArrayGivesOneFlexibleArrayPerAlternative()
    {
        var s = Struct("struct r2 { __u32 n; union { __DECLARE_FLEX_ARRAY(__u8, bytes); __DECLARE_FLEX_ARRAY(__u32, words); }; };", "r2");
        Assert.That((s.Size, s.Align), Is.EqualTo((4, 4)));
        Assert.That(s.Flexible.Select(f => (f.CName, f.Offset, f.ElementSize)), Is.EqualTo(new[] { ("bytes", 4, 1), ("words", 4, 4) }));
    }

    [Test]
    public void ZeroLengthArrayInATrailingUnion()
    {
        var s = Struct("struct r3 { __u32 a; union { __u64 b; __u8 c[0]; }; };", "r3");
        Assert.That((s.Size, Offset(s, "b"), s.Flexible.Single().Offset), Is.EqualTo((16, 8, 8)));
    }

    [Test]
    public void FlexibleArrayNotLastIsStillAnError()
    {
        Assert.That(Ids("struct bad { __u8 a[]; __u8 b; };"), Does.Contain("UAPI003"));
    }

    [Test]
    public void FunctionLikeMacroInADeclarator()
    {
        var s = Struct("#define NAME(x) x\nstruct r4 { __u8 a; __u8 NAME(b); __u16 c; };", "r4");
        Assert.That((Offset(s, "b"), Offset(s, "c"), s.Size), Is.EqualTo((1, 2, 4)));
    }

    [Test]
    public void InlineFunctionBodyEndsAtItsBrace()
    {
        const string header = "static __inline__ int f(int x)\n{\n\tif (x) { return 1; }\n\treturn 0;\n}\nstruct r5 { __u32 a; };\n";
        Assert.That(Struct(header, "r5").Size, Is.EqualTo(4));
        Assert.That(Ids(header), Is.EqualTo(new[] { "UAPI017" }));
    }

    [TestCase("x86_64", "lo", "hi")]
    [TestCase("sparc64", "hi", "lo")]
    public void BitfieldOrderFollowsTheProfile(string profile, string first, string second)
    {
        const string header = "#include <asm/byteorder.h>\nstruct r6 {\n#if defined(__LITTLE_ENDIAN_BITFIELD)\n__u8 lo:4, hi:4;\n#elif defined(__BIG_ENDIAN_BITFIELD)\n__u8 hi:4, lo:4;\n#else\n#error \"order\"\n#endif\n};";
        var s = Struct(header, "r6", profile);
        Assert.That(s.Bitfields.Select(b => b.CName), Is.EqualTo(new[] { first, second }));
        Assert.That(Ids(header, profile), Is.Empty);
    }

    [Test]
    public void CountedByIsAnAnnotation()
    {
        var s = Struct("struct r7 { __u32 count; __u64 items[] __counted_by(count); };", "r7");
        Assert.That((s.Size, s.Flexible.Single().Offset), Is.EqualTo((8, 8)));
    }

    [Test]
    public void StructGroupMirrorsItsMembers()
    {
        var model = ModelRunner.Model("struct r8 { __u32 a; __struct_group(r8_hdr, hdr, , __u32 b; __u16 c;); __u64 d; };");
        var s = model.Structs.Single(x => x.CsName == "r8");
        Assert.That((Offset(s, "b"), Offset(s, "c"), Offset(s, "hdr"), Offset(s, "d"), s.Size), Is.EqualTo((4, 8, 4, 16, 24)));
        Assert.That(model.Structs.Single(x => x.CsName == "r8_hdr").Size, Is.EqualTo(8));
    }

    [Test]
    public void LowercaseTypeNamesCompileWithoutWarnings()
    {
        var (result, output) = GeneratorHarness.Generate(new UapiGenerator(), [HeaderInput.Inline("struct fiemap { __u64 start; };\nenum rseq_flags { RSEQ_FLAG_UNREGISTER = 1 };\n")]);
        Assert.That(result.Exception, Is.Null);
        Assert.That(GeneratorHarness.CompileErrors(output), Is.Empty);
    }

    [Test]
    public void TokenPastingBuildsIoctlNames()
    {
        const string header = "#define DRM_X_GET 0x01\n#define DRM_IOCTL_X(name) _IO('d', 0x40 + DRM_X_##name)\n#define DRM_IOCTL_X_GET DRM_IOCTL_X(GET)\n";
        // A request built through a wrapper macro is a constant (only direct _IO* bodies get wrappers).
        Assert.That(ModelRunner.Model(header).Constants.Single(c => c.Name == "DRM_IOCTL_X_GET").Value, Is.EqualTo("0x6441").Or.EqualTo("25665"));
    }

    [Test]
    public void EnumeratorDefinedAsItselfIsOneConstant()
    {
        const string header = "enum z { Z_A = 1 };\n#define Z_A Z_A\n";
        Assert.That((ModelRunner.Model(header).Constants.Count(c => c.Name == "Z_A"), Ids(header).Length), Is.EqualTo((1, 0)));
    }
}

/// <summary>What the whole installed trees needed (docs/generator-proof.md): each must compile with
/// every warning an error.</summary>
public class WholeTreeConstructTests
{
    private static void AssertCompiles(params HeaderInput[] inputs)
    {
        var (result, output) = GeneratorHarness.Generate(new UapiGenerator(), inputs, "aarch64");
        Assert.That(result.Exception, Is.Null);
        Assert.That(GeneratorHarness.CompileErrors(output), Is.Empty);
    }

    [Test]
    public void BitThirtyOneInAnIntEnumIsIntMin() // drm/exynos_drm.h
    {
        AssertCompiles(HeaderInput.Inline("enum g2d_buf { G2D_BUF_USERPTR = 1 << 31, G2D_BUF_OTHER = 1 };\n"));
        Assert.That(ModelRunner.Model("enum g2d_buf { G2D_BUF_USERPTR = 1 << 31, G2D_BUF_OTHER = 1 };\n").Enums.Single().Members[0].Value,
            Is.EqualTo("-2147483648"));
    }

    [Test]
    public void NestedTypeNamedLikeItsEnclosingTypeIsRenamed() => // linux/coff.h
        AssertCompiles(HeaderInput.Inline("struct s { union { char n[8]; struct { char z[4]; char o[4]; } e; } e; };\n"));

    [Test]
    public void EmptyStructIsNamedAndItsIoctlTakesARawPointer() // arm64 asm/kvm.h + linux/kvm.h
    {
        var asm = HeaderInput.Inline("struct kvm_sregs {\n};\n", "/t/asm/kvm.h", "AsmKvm") with { Namespace = "T.Asm" };
        var kvm = HeaderInput.Inline("#include <asm/kvm.h>\n#define KVM_GET_SREGS _IOR(0xAE, 0x83, struct kvm_sregs)\n", "/t/linux/kvm.h", "Kvm");
        AssertCompiles(asm, kvm);
        var result = ModelRunner.Compile(asm);
        Assert.That(result.Diagnostics.Select(d => (d.Id, d.StartLine)), Is.EqualTo(new[] { ("UAPI018", 0) }));
        var ioctl = ModelRunner.Compile(kvm, [asm]).Model!.Ioctls.Single();
        Assert.That(ioctl.ArgKind, Is.EqualTo(IoctlArgKind.Pointer));
    }

    [Test]
    public void TypeOfAnIncludedHeaderIsWrittenWithItsNamespace()
    {
        var asm = HeaderInput.Inline("struct stat { int st_dev; };\n", "/t/asm/stat.h", "AsmStat") with { Namespace = "T.Asm" };
        var generic = HeaderInput.Inline("struct stat { long st_dev; };\n", "/t/asm-generic/stat.h", "GenericStat") with { Namespace = "T.AsmGeneric" };
        var user = HeaderInput.Inline("#include <asm/stat.h>\nstruct holder { struct stat s; };\n", "/t/linux/holder.h", "Holder");
        AssertCompiles(asm, generic, user);
        Assert.That(ModelRunner.Compile(user, [asm, generic]).Model!.Structs.Single().Fields.Single().CsType, Is.EqualTo("global::T.Asm.stat"));
    }
}

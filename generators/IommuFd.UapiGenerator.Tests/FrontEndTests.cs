using IommuFd.UapiGenerator.Model;
using IommuFd.UapiGenerator.Testing;
using IommuFd.UapiGenerator.Tests.Infrastructure;

namespace IommuFd.UapiGenerator.Tests;

/// <summary>Preprocessor and constant evaluator, observed through the constants they produce.</summary>
public class FrontEndTests
{
    private static ConstantModel Constant(string header, string name, string? profile = null) =>
        ModelRunner.Model(header, profile).Constants.Single(c => c.Name == name);

    [TestCase("#define X (1 << 3)", "int", "8")]
    [TestCase("#define X 0xfeedbeef", "uint", "0xFEEDBEEF")]
    [TestCase("#define X 4294967296", "long", "0x100000000")]
    [TestCase("#define X 0xffffffffffffffff", "ulong", "0xFFFFFFFFFFFFFFFF")]
    [TestCase("#define X 10UL", "ulong", "10")]
    [TestCase("#define X 7u", "uint", "7")]
    [TestCase("#define X -1", "int", "-1")]
    [TestCase("#define X (1 << 31)", "uint", "0x80000000")]
    [TestCase("#define X ((1UL << 31) - 1)", "ulong", "0x7FFFFFFF")]
    [TestCase("#define X (';')", "int", "59")]
    [TestCase("#define X '\\n'", "int", "10")]
    [TestCase("#define X '\\x3b'", "int", "59")]
    [TestCase("#define X 010", "int", "8")]
    [TestCase("#define X (~0U)", "uint", "0xFFFFFFFF")]
    [TestCase("#define X (~0)", "int", "-1")]
    [TestCase("#define X ((__u64)1 << 40)", "ulong", "0x10000000000")]
    [TestCase("#define X ((__s8)0xff)", "int", "-1")]
    [TestCase("#define X (unsigned long long)5", "ulong", "5")]
    [TestCase("#define X (7 / 2 + 7 % 2 * 10 - 1)", "int", "12")]
    [TestCase("#define X (-7 / 2)", "int", "-3")]
    [TestCase("#define X (1 ? 2 : 3UL)", "ulong", "2")]
    [TestCase("#define X (1 < 2 && 3 > 2 || 0)", "int", "1")]
    [TestCase("#define X (0x10 >> 2 ^ 1 & 3 | 64)", "int", "69")]
    [TestCase("#define X (-1 < 0u)", "int", "0")]
    [TestCase("#define X _BITUL(4)", "ulong", "16")]
    [TestCase("#define X _BITULL(63)", "ulong", "0x8000000000000000")]
    [TestCase("#define X sizeof(__u64)", "ulong", "8")]
    [TestCase("#define X __KERNEL_DIV_ROUND_UP(10, 4)", "int", "3")]
    public void ConstantTypesAndValues(string define, string type, string value)
    {
        var c = Constant(define + "\n", "X");
        Assert.That((c.CsType, c.Value), Is.EqualTo((type, value)));
    }

    [Test]
    public void FunctionLikeAndNestedMacros()
    {
        const string header = "#define BASE 100\n#define OFF(n) (BASE + (n))\n#define TWICE(x, y) ((x) * 2 + (y))\n#define X TWICE(OFF(1), 3)\n#define SELF SELF\n";
        Assert.That(Constant(header, "X").Value, Is.EqualTo("205"));
        Assert.That(ModelRunner.Model(header).Constants.Any(c => c.Name == "SELF"), Is.False);
    }

    [Test]
    public void BackslashContinuationJoinsLines()
    {
        Assert.That(Constant("#define X (1 | \\\n   2 | \\\n   4)\n", "X").Value, Is.EqualTo("7"));
    }

    [Test]
    public void ConditionalsFollowDefinedAndExpressions()
    {
        const string header = """
            #define A 2
            #if defined(A) && A > 1
            #define R1 1
            #elif 1
            #define R1 2
            #else
            #define R1 3
            #endif
            #ifdef MISSING
            #define R2 1
            #else
            #define R2 2
            #endif
            #ifndef A
            #define R3 1
            #elif UNKNOWN_NAME == 0
            #define R3 2
            #endif
            #if 0
            #if 1
            #define R4 9
            #endif
            #else
            #define R4 4
            #endif
            #undef A
            #ifdef A
            #define R5 1
            #else
            #define R5 5
            #endif
            """;
        var model = ModelRunner.Model(header);
        string V(string n) => model.Constants.Single(c => c.Name == n).Value;
        Assert.That(new[] { V("R1"), V("R2"), V("R3"), V("R4"), V("R5") }, Is.EqualTo(new[] { "1", "2", "2", "4", "5" }));
    }

    [TestCase("x86_64", "__x86_64__")]
    [TestCase("aarch64", "__aarch64__")]
    [TestCase("ppc64le", "__powerpc64__")]
    public void ProfilesPredefineTheirArchitecture(string profile, string macro)
    {
        var model = ModelRunner.Model($"#ifdef {macro}\n#define ARCH 1\n#else\n#define ARCH 0\n#endif\n", profile);
        Assert.That(model.Constants.Single().Value, Is.EqualTo("1"));
    }

    [Test]
    public void IncludeOfAnotherHeaderProvidesMacrosAndEnums()
    {
        var baseHeader = new HeaderInput("/inc/linux/base.h", "#define BASE_TYPE 0x3b\nenum { BASE_CMD = 0x80, BASE_NEXT };\nstruct base_s { __u32 a; };\n", ClassName: "Base");
        var main = new HeaderInput("/inc/main.h", "#include <linux/base.h>\n#define MAIN_CMD _IO(BASE_TYPE, BASE_NEXT)\nstruct main_s { struct base_s b; __u32 c; };\n", ClassName: "Main");
        var result = ModelRunner.Compile(main, [main, baseHeader]);
        Assert.That(result.Diagnostics.Where(d => d.Id != "UAPI007"), Is.Empty);
        var model = result.Model!;
        Assert.That(model.Ioctls.Single().Request, Is.EqualTo(0x3B81u));
        Assert.That(model.Structs.Select(s => s.CName), Is.EqualTo(new[] { "struct main_s" }));
        Assert.That(model.Structs[0].Fields[0].CsType, Is.EqualTo("base_s"));
        Assert.That(model.Structs[0].Size, Is.EqualTo(8));
        Assert.That(model.Constants.Select(c => c.Name), Is.Empty, "constants of the included header are not repeated");
    }

    [Test]
    public void CharSignednessFollowsTheProfile()
    {
        const string header = "#define X ((char)0xff)\nstruct s { char c[2]; };\n";
        Assert.That(Constant(header, "X", "x86_64").Value, Is.EqualTo("-1"));
        Assert.That(Constant(header, "X", "aarch64").Value, Is.EqualTo("255"));
        Assert.That(ModelRunner.Model(header, "aarch64").Structs.Single().InlineArrays.Single().ElementCsType, Is.EqualTo("byte"));
    }

    [Test]
    public void FilterSelectsByPrefixAndKeepsDependencies()
    {
        const string header = "struct keep_inner { __u32 a; };\nstruct keep_outer { struct keep_inner i; };\nstruct drop_me { __u32 b; };\n#define KEEP_X 1\n#define DROP_Y 2\n";
        var model = ModelRunner.Model(header, filter: "keep_outer;KEEP_");
        Assert.That(model.Structs.Select(s => s.CsName), Is.EqualTo(new[] { "keep_inner", "keep_outer" }));
        Assert.That(model.Constants.Select(c => c.Name), Is.EqualTo(new[] { "KEEP_X" }));
    }

    [Test]
    public void KernelDocBecomesDocs()
    {
        const string header = """
            /**
             * struct d - Summary with <angle> & amp
             * @a: Field A
             *     continued
             *
             * Remarks line.
             */
            struct d {
            	__u32 a;
            	__u32 b; /* trailing b */
            };
            """;
        var s = ModelRunner.Model(header).Structs.Single();
        Assert.That(s.Doc!.Summary, Is.EqualTo("Summary with <angle> & amp"));
        Assert.That(s.Doc.Remarks, Is.EqualTo("Remarks line."));
        Assert.That(s.Fields[0].Doc!.Summary, Is.EqualTo("Field A continued"));
        Assert.That(s.Fields[1].Doc!.Summary, Is.EqualTo("trailing b"));
    }
}

using IommuFd.UapiGenerator.Testing;
using IommuFd.UapiGenerator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.Tests;

/// <summary>Bad input gives a diagnostic at the header's file and line, and the rest of the header
/// is still generated.</summary>
public class DiagnosticsTests
{
    private static Diagnostic Single(string header, string id, string? profile = null, HeaderInput? extra = null)
    {
        var input = HeaderInput.Inline(header, "/virtual/bad.h");
        var inputs = extra == null ? new[] { input } : new[] { input with { IoctlMap = extra.Path }, extra };
        var (result, _) = GeneratorHarness.Generate(new UapiGenerator(), inputs, profile);
        Assert.That(result.Exception, Is.Null);
        var matching = result.Diagnostics.Where(d => d.Id == id).ToList();
        Assert.That(matching, Has.Count.EqualTo(1), () => "diagnostics: " + string.Join("\n", result.Diagnostics));
        return matching[0];
    }

    private static void AssertAt(Diagnostic d, string path, int line1Based)
    {
        var span = d.Location.GetLineSpan();
        Assert.That(span.Path, Is.EqualTo(path));
        Assert.That(span.StartLinePosition.Line + 1, Is.EqualTo(line1Based), d.ToString());
    }

    [Test]
    public void MalformedMacroIsReportedAtItsLine()
    {
        var d = Single("#define GOOD 1\n\n#define BAD (1 <<)\n", "UAPI004");
        AssertAt(d, "/virtual/bad.h", 3);
        Assert.That(d.GetMessage(), Does.Contain("BAD"));
    }

    [Test]
    public void UnknownTypeSkipsOnlyThatStruct()
    {
        var input = HeaderInput.Inline("struct ok { __u32 a; };\nstruct bad {\n\tmystery_t x;\n};\nstruct ok2 { __u8 b; };\n", "/virtual/bad.h");
        var (result, output) = GeneratorHarness.Generate(new UapiGenerator(), [input]);
        var d = result.Diagnostics.Single(x => x.Id == "UAPI006");
        AssertAt(d, "/virtual/bad.h", 3);
        var source = result.GeneratedSources.Single().SourceText.ToString();
        Assert.That(source, Does.Contain("struct ok").And.Contain("struct ok2").And.Not.Contain("struct bad"));
        Assert.That(GeneratorHarness.CompileErrors(output), Is.Empty);
    }

    [Test]
    public void FunctionDeclarationIsSkipped() => AssertAt(Single("struct a { int x; };\n\nint frob(int fd);\n", "UAPI017"), "/virtual/bad.h", 3);

    [Test]
    public void SyntaxErrorInsideStructIsSkipped() => AssertAt(Single("struct a {\n\t__u32 x\n\t__u32 y;\n};\n", "UAPI003"), "/virtual/bad.h", 3);

    [Test]
    public void MissingIncludeIsReported() => AssertAt(Single("#include <linux/types.h>\n#include <linux/nothere.h>\n", "UAPI005"), "/virtual/bad.h", 2);

    [Test]
    public void DuplicateStructIsReported() => AssertAt(Single("struct a { int x; };\nstruct a { int y; };\n", "UAPI008"), "/virtual/bad.h", 2);

    [Test]
    public void ErrorDirectiveAndUnterminatedIf()
    {
        var input = HeaderInput.Inline("#error no\n#if 1\nstruct a { int x; };\n", "/virtual/bad.h");
        var (result, _) = GeneratorHarness.Generate(new UapiGenerator(), [input]);
        var lines = result.Diagnostics.Where(d => d.Id == "UAPI011").Select(d => d.Location.GetLineSpan().StartLinePosition.Line + 1).ToList();
        Assert.That(lines, Is.EquivalentTo(new[] { 1, 2 }));
    }

    [Test]
    public void UnknownProfileIsAnError()
    {
        var d = Single("#define A 1\n", "UAPI009", profile: "vax");
        Assert.That(d.Severity, Is.EqualTo(DiagnosticSeverity.Error));
        Assert.That(d.GetMessage(), Does.Contain("vax").And.Contain("aarch64"));
    }

    [Test]
    public void MissingClassNameIsAnError()
    {
        var input = HeaderInput.Inline("#define A 1\n") with { ClassName = null };
        var (result, _) = GeneratorHarness.Generate(new UapiGenerator(), [input]);
        Assert.That(result.Diagnostics.Single().Id, Is.EqualTo("UAPI002"));
        Assert.That(result.GeneratedSources, Is.Empty);
    }

    [TestCase("Class Name", "Test.Interop")]
    [TestCase("class", "Test.Interop")]
    [TestCase("Api", "Test-Interop")]
    [TestCase("Api", "Test..Interop")]
    public void InvalidNamesAreErrors(string className, string ns)
    {
        var (result, _) = GeneratorHarness.Generate(new UapiGenerator(), [HeaderInput.Inline("#define A 1\n") with { ClassName = className, Namespace = ns }]);
        Assert.That(result.Diagnostics.Single().Id, Is.EqualTo("UAPI015"));
        Assert.That(result.GeneratedSources, Is.Empty);
    }

    [Test]
    public void TwoHeadersWithTheSameClassAreAnErrorNotACrash()
    {
        var (result, _) = GeneratorHarness.Generate(new UapiGenerator(), [HeaderInput.Inline("#define A 1\n", "/v/a.h"), HeaderInput.Inline("#define B 1\n", "/v/b.h")]);
        Assert.That(result.Exception, Is.Null);
        Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "UAPI016" }));
        Assert.That(result.GeneratedSources, Has.Length.EqualTo(1));
    }

    [Test]
    public void UnreadableHeaderIsAnError()
    {
        var (result, _) = GeneratorHarness.Generate(new UapiGenerator(), [new HeaderInput("/virtual/gone.h", null)]);
        Assert.That(result.Diagnostics.Single().Id, Is.EqualTo("UAPI014"));
        Assert.That(result.GeneratedSources, Is.Empty);
    }

    [Test]
    public void BadIoctlMapLineIsReportedInTheMapFile()
    {
        var map = HeaderInput.Map("/virtual/map.txt", "# comment\nFOO = struct a\nthis is wrong\n");
        var d = Single("struct a { __u32 size; };\n#define FOO _IO(1, 2)\n", "UAPI010", extra: map);
        AssertAt(d, "/virtual/map.txt", 3);
    }

    [Test]
    public void IoctlMapNotAmongAdditionalFiles()
    {
        var input = HeaderInput.Inline("#define FOO _IO(1, 2)\n", ioctlMap: "/virtual/absent.txt");
        var (result, _) = GeneratorHarness.Generate(new UapiGenerator(), [input]);
        Assert.That(result.Diagnostics.Select(d => d.Id), Does.Contain("UAPI012"));
    }

    [Test]
    public void UndocumentedIoctlGetsARawPointerWrapperAndAnInfo()
    {
        var input = HeaderInput.Inline("\n#define FOO _IO(1, 2)\n", "/virtual/bad.h");
        var (result, output) = GeneratorHarness.Generate(new UapiGenerator(), [input]);
        var d = result.Diagnostics.Single();
        Assert.That(d.Id, Is.EqualTo("UAPI007"));
        Assert.That(d.Severity, Is.EqualTo(DiagnosticSeverity.Info));
        AssertAt(d, "/virtual/bad.h", 2);
        Assert.That(result.GeneratedSources.Single().SourceText.ToString(), Does.Contain("int fd, void* arg)"));
        Assert.That(GeneratorHarness.CompileErrors(output), Is.Empty);
    }

    [Test]
    public void IoctlNumberOutOfRangeIsMalformed() => Single("#define FOO _IO(0x1ff, 2)\n", "UAPI004");

    [Test]
    public void NonConstantMacrosAreSilent()
    {
        var input = HeaderInput.Inline("#define F(x) ((x) + 1)\n#define PTR ((void *)0)\n#define NAME foo_bar\n#define EMPTY\n#define FLOAT 1.5\n");
        var (result, _) = GeneratorHarness.Generate(new UapiGenerator(), [input]);
        Assert.That(result.Diagnostics, Is.Empty);
    }

    [Test]
    public void GarbageNeverThrows()
    {
        var random = new Random(1234);
        var pieces = new[] { "struct", "union", "enum", "{", "}", ";", "__u32", "x", "[", "]", "(", ")", "#define", "\n", "1", "<<", ":", "=", ",", "/*", "*/", "#if", "#endif", "'", "\"", "\\\n", "__attribute__", "*", "typedef" };
        for (int round = 0; round < 200; round++)
        {
            var text = string.Join(" ", Enumerable.Range(0, random.Next(1, 60)).Select(_ => pieces[random.Next(pieces.Length)]));
            var result = ModelRunner.Compile(HeaderInput.Inline(text));
            Assert.That(result.Diagnostics.Any(d => d.Id == "UAPI001"), Is.False, () => "internal error on: " + text + "\n" + string.Join("\n", result.Diagnostics.Select(d => string.Join(",", d.Arguments))));
        }
    }

    [Test]
    public void TruncatedRealHeadersNeverCrashAndStillCompile()
    {
        var text = UapiHeaders.Vfio.ReadText();
        for (int cut = 500; cut < text.Length; cut += text.Length / 13)
        {
            var input = HeaderInput.Inline(text[..cut], "/virtual/vfio.h", "Vfio");
            var (result, output) = GeneratorHarness.Generate(new UapiGenerator(), [input]);
            Assert.That(result.Exception, Is.Null);
            Assert.That(result.Diagnostics.Any(d => d.Id == "UAPI001"), Is.False, $"internal error at cut {cut}");
            Assert.That(GeneratorHarness.CompileErrors(output), Is.Empty, $"generated code does not compile at cut {cut}");
        }
    }
}

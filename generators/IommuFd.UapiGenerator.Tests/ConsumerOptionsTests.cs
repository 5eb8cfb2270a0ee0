using System.Collections.Immutable;
using IommuFd.UapiGenerator.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace IommuFd.UapiGenerator.Tests;

/// <summary>What a consuming project chooses with MSBuild: the access of the generated types,
/// include-only headers, and what happens without unsafe code.</summary>
public class ConsumerOptionsTests
{
    private const string Header = "#include <linux/types.h>\n#define FOO_MAGIC 3\nenum foo_kind { FOO_A = 1 };\nstruct foo { __u32 size; enum foo_kind kind; };\n";

    private static (GeneratorRunResult Result, Compilation Output) Run(IEnumerable<HeaderInput> inputs, CSharpCompilationOptions? options = null,
        IReadOnlyDictionary<string, string>? properties = null, params string[] consumer)
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver(new UapiGenerator(), inputs, null, out ImmutableArray<AdditionalText> _, properties: properties);
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation("Consumer", consumer);
        if (options != null) compilation = compilation.WithOptions(options);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    private static string Source(GeneratorRunResult result) => result.GeneratedSources.Single().SourceText.ToString();

    [Test]
    public void Internal_visibility_makes_every_top_level_type_internal()
    {
        var (result, output) = Run([HeaderInput.Inline(Header)],
            properties: new Dictionary<string, string> { [GeneratorOptionKeys.Visibility] = "internal" });
        string source = Source(result);
        Assert.Multiple(() =>
        {
            Assert.That(source, Does.Contain("internal unsafe partial struct foo").And.Contain("internal enum foo_kind")
                .And.Contain("internal static partial class Api").And.Contain("internal static unsafe partial class ApiIoctls"));
            Assert.That(source, Does.Not.Contain("public unsafe partial struct").And.Not.Contain("public enum"));
            Assert.That(GeneratorHarness.CompileErrors(output), Is.Empty);
        });
    }

    [Test]
    public void Public_is_the_default_visibility()
    {
        var (result, _) = Run([HeaderInput.Inline(Header)]);
        Assert.That(Source(result), Does.Contain("public unsafe partial struct foo").And.Contain("public static partial class Api"));
    }

    [Test]
    public void Without_unsafe_code_one_UAPI019_and_nothing_generated()
    {
        var options = GeneratorHarness.CreateCompilation("Consumer").Options.WithAllowUnsafe(false);
        var (result, output) = Run([HeaderInput.Inline(Header), HeaderInput.Inline("struct bar { __u8 b; };", "/virtual/bar.h", "Bar")], options);
        Assert.Multiple(() =>
        {
            Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "UAPI019" }));
            Assert.That(result.Diagnostics.Single().Severity, Is.EqualTo(DiagnosticSeverity.Error));
            Assert.That(result.GeneratedSources, Is.Empty);
            Assert.That(GeneratorHarness.CompileErrors(output).Where(d => d.Id == "CS0227"), Is.Empty);
        });
    }

    [Test]
    public void Without_headers_unsafe_code_is_not_asked_for()
    {
        var options = GeneratorHarness.CreateCompilation("Consumer").Options.WithAllowUnsafe(false);
        var (result, _) = Run([HeaderInput.Map("/virtual/map.txt", "")], options);
        Assert.That(result.Diagnostics, Is.Empty);
    }

    [Test]
    public void Include_only_header_is_parsed_not_generated_and_what_is_held_by_value_comes_along()
    {
        var common = HeaderInput.IncludeOnly("/usr/include/linux/common.h",
            "#define COMMON_LIMIT 7\nenum common_mode { COMMON_ON = 1 };\nstruct common_range { __u64 start; __u64 length; };\nstruct common_unused { __u8 x; };\n");
        var main = HeaderInput.Inline("#include <linux/common.h>\nstruct user { struct common_range range[COMMON_LIMIT]; enum common_mode mode; };\n", "/virtual/user.h");
        var (result, output) = Run([main, common], consumer: "static unsafe class Use { static int Size => sizeof(Test.Interop.user) + sizeof(Test.Interop.common_range); }");
        string source = Source(result);
        Assert.Multiple(() =>
        {
            Assert.That(result.GeneratedSources, Has.Length.EqualTo(1), "only the main header is generated");
            Assert.That(source, Does.Contain("partial struct common_range").And.Not.Contain("common_unused").And.Not.Contain("COMMON_LIMIT"));
            Assert.That(source, Does.Contain("[InlineArray(7)]"), "the include-only header's macro sized the array");
            Assert.That(source, Does.Contain("public uint mode;"), "an include-only enum is written as its underlying type");
            Assert.That(result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning), Is.Empty);
            Assert.That(GeneratorHarness.CompileErrors(output), Is.Empty);
        });
    }

    [Test]
    public void Ioctl_on_a_struct_of_an_include_only_header_takes_a_raw_pointer()
    {
        var other = HeaderInput.IncludeOnly("/usr/include/linux/other.h", "struct other_arg { __u32 x; };\n");
        var main = HeaderInput.Inline("#include <linux/ioctl.h>\n#include <linux/other.h>\n#define FOO_IOC_OTHER _IOW('f', 1, struct other_arg)\n", "/virtual/user.h");
        var (result, output) = Run([main, other]);
        Assert.Multiple(() =>
        {
            Assert.That(Source(result), Does.Contain("FOO_IOC_OTHER<TTarget>(TTarget target, int fd, void* arg)").And.Not.Contain("struct other_arg"));
            Assert.That(result.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "UAPI007" }));
            Assert.That(GeneratorHarness.CompileErrors(output), Is.Empty);
        });
    }
}

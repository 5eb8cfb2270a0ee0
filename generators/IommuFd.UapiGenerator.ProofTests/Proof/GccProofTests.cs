using System.Reflection;
using IommuFd.Uapi;
using IommuFd.UapiGenerator.ProofTests.Gcc;
using IommuFd.UapiGenerator.Testing;
using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.ProofTests.Proof;

/// <summary>The generator's output for iommufd.h, vfio.h and iommufd_test.h, proven against gcc
/// for each target profile: every size, alignment, member offset and size, constant, enum member
/// and ioctl request number becomes a C assertion that gcc must accept, and the set of what was
/// generated must equal the set of what gcc sees declared.</summary>
public sealed class GccProofTests
{
    private static IEnumerable<TestCaseData> Profiles()
    {
        // The host gcc and the aarch64 cross gcc are part of the toolchain: their absence fails.
        yield return new TestCaseData(GccToolchain.X86_64, true).SetArgDisplayNames("x86_64");
        yield return new TestCaseData(GccToolchain.Aarch64, true).SetArgDisplayNames("aarch64");
        yield return new TestCaseData(GccToolchain.Ppc64le, false).SetArgDisplayNames("ppc64le");
    }

    [TestCaseSource(nameof(Profiles))]
    public void Generator_reports_no_error_on_the_real_headers(GccToolchain gcc, bool mandatory)
    {
        ProofRun run = ProofRun.For(gcc.Profile);
        foreach (string diagnostic in run.Diagnostics)
            TestContext.Progress.WriteLine($"[{gcc.Profile}] {diagnostic}");
        Assert.Multiple(() =>
        {
            Assert.That(run.Outcome.Exceptions, Is.Empty, "the generator threw");
            Assert.That(run.Outcome.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()),
                Is.Empty, "error diagnostics on the real headers");
            Assert.That(run.Outcome.CompileErrors.Select(d => d.ToString()).Take(20), Is.Empty, "the generated code does not compile");
        });
    }

    [TestCaseSource(nameof(Profiles))]
    public void Layout_and_values_equal_gcc(GccToolchain gcc, bool mandatory)
    {
        gcc.RequireInstalled(mandatory);
        ProofRun run = ProofRun.For(gcc.Profile);
        StaticAssertEmitter.Output c = StaticAssertEmitter.Emit(run.Metadata, UapiHeaders.Bindings.Select(h => h.FullPath));
        GccResult result = gcc.CompileObject(c.Source, [UapiHeaders.IncludeDir]);

        if (run.Metadata.NonCConstants.Count > 0)
            TestContext.Progress.WriteLine($"[{gcc.Profile}] not C facts, not asserted: {string.Join(", ", run.Metadata.NonCConstants)}");
        TestContext.Progress.WriteLine($"[{gcc.Profile}] {gcc.Executable}: {c.Total} checks " +
            $"({string.Join(", ", c.Checks.Select(kv => $"{kv.Value} {kv.Key}"))}), {result.Errors.Count} failed");
        foreach (string error in result.Errors.Take(40))
            TestContext.Progress.WriteLine($"[{gcc.Profile}]   {error}");
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, $"gcc rejected the generated facts:\n{string.Join('\n', result.Errors.Take(40))}");
            Assert.That(c.Unchecked, Is.Empty, "generated constants the proof cannot express in C");
            Assert.That(c.Checks.GetValueOrDefault("sizeof"), Is.EqualTo(run.Metadata.Records.Count(r => r.HasCType)));
        });
        AssertCompiledThe612Headers(result);
    }

    [TestCaseSource(nameof(Profiles))]
    public void Everything_gcc_sees_is_generated(GccToolchain gcc, bool mandatory)
    {
        GccToolchain.X86_64.RequireInstalled(mandatory: true);
        ProofRun run = ProofRun.For(gcc.Profile);
        GccDeclarations declared = GccInventory.Value;
        GeneratedMetadata generated = run.Metadata;

        var records = generated.Records.Where(r => !r.IsAnonymous).Select(r => r.CName).ToHashSet();
        var members = generated.Records.Where(r => !r.IsAnonymous)
            .SelectMany(r => r.Members.Select(m => $"{r.CName}: {m.Path}")).ToHashSet();
        var constants = generated.Constants.Select(c => c.Name).ToHashSet();

        var rows = new (string Kind, IReadOnlySet<string> Expected, HashSet<string> Generated)[]
        {
            ("structs and unions", declared.Records, records),
            ("member paths", declared.Members, members),
            ("enum members", declared.Enumerators, constants),
            ("constants and ioctl numbers", declared.Constants, constants),
        };
        var missing = new List<string>();
        foreach (var (kind, expected, made) in rows)
        {
            var absent = expected.Where(e => !made.Contains(e)).Order(StringComparer.Ordinal).ToList();
            double percent = expected.Count == 0 ? 100 : 100.0 * (expected.Count - absent.Count) / expected.Count;
            TestContext.Progress.WriteLine($"[{gcc.Profile}] coverage of {kind}: {expected.Count - absent.Count}/{expected.Count} ({percent:0.##}%)");
            missing.AddRange(absent.Select(a => $"{kind}: {a}"));
        }
        var reportedSkips = run.Outcome.GeneratorDiagnostics.Where(d => d.Id is "UAPI003" or "UAPI004" or "UAPI006" or "UAPI008").ToList();
        TestContext.Progress.WriteLine($"[{gcc.Profile}] the generator reports {reportedSkips.Count} skipped declarations");
        foreach (Diagnostic skip in reportedSkips)
            TestContext.Progress.WriteLine($"[{gcc.Profile}]   {skip}");

        Assert.That(missing, Is.Empty, "declared in C (per gcc) but not generated");
    }

    [TestCaseSource(nameof(Profiles))]
    public void Runtime_layout_equals_the_C_layout_attributes(GccToolchain gcc, bool mandatory)
    {
        ProofRun run = ProofRun.For(gcc.Profile);
        Assert.Multiple(() =>
        {
            foreach (CRecord record in run.Metadata.Records)
            {
                Assert.That(record.RuntimeSize, Is.EqualTo(record.Size), $"Unsafe.SizeOf<{record.Type.Name}>() vs [CLayout] ({record.CName})");
                foreach (CMember member in record.Members)
                    Assert.That(member.Offset + (member.Size ?? 0), Is.LessThanOrEqualTo(record.Size), $"{record.CName}.{member.Path} ends past the struct");
            }
        });
        TestContext.Progress.WriteLine($"[{gcc.Profile}] {run.Metadata.Records.Count} records laid out by the runtime as [CLayout] says");
    }

    [TestCaseSource(nameof(Profiles))]
    public void Ioctl_tables_agree_with_the_constants(GccToolchain gcc, bool mandatory)
    {
        ProofRun run = ProofRun.For(gcc.Profile);
        var constants = run.Metadata.Constants.Where(c => c.Value is uint).GroupBy(c => c.Name).ToDictionary(g => g.Key, g => (uint)g.First().Value);
        Assert.That(run.Metadata.Ioctls, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (IoctlDescriptor ioctl in run.Metadata.Ioctls)
            {
                Assert.That(constants.TryGetValue(ioctl.Name, out uint request) && request == ioctl.Request, Is.True,
                    $"{ioctl.Name}: table says 0x{ioctl.Request:X}, constant is {(constants.ContainsKey(ioctl.Name) ? $"0x{constants[ioctl.Name]:X}" : "missing")}");
                if (ioctl.ArgumentType is { } argument)
                {
                    Assert.That(argument.GetCustomAttribute<CLayoutAttribute>(), Is.Not.Null, $"{ioctl.Name}: argument {argument.Name} is not a generated struct");
                    if (ioctl.SizeField is { } sizeField)
                    {
                        FieldInfo? field = argument.GetFields().SingleOrDefault(f => f.GetCustomAttribute<CNameAttribute>()?.Name == sizeField);
                        Assert.That(field?.GetCustomAttribute<System.Runtime.InteropServices.FieldOffsetAttribute>()?.Value, Is.Zero,
                            $"{ioctl.Name}: size field {sizeField} is not the first field of {argument.Name}");
                    }
                }
            }
        });
        TestContext.Progress.WriteLine($"[{gcc.Profile}] {run.Metadata.Ioctls.Count} ioctl descriptors agree with their constants");
    }

    [TestCaseSource(nameof(Profiles))]
    public void Userfaultfd_header_equals_gcc(GccToolchain gcc, bool mandatory)
    {
        // The sample's header, outside the bindings: uffd_msg's nested anonymous unions and the
        // `} __packed;` that userspace compilers read as a variable named __packed.
        gcc.RequireInstalled(mandatory);
        UapiHeader header = UapiHeaders.Userfaultfd;
        GenerationOutcome outcome = GeneratorHarness.Generate(GeneratorUnderTest.Create(), [header.Input()], gcc.Profile);
        Assert.That(outcome.Exceptions, Is.Empty);
        GeneratedMetadata metadata = GeneratedMetadata.Read(InMemoryAssembly.Load(outcome.Output), [header.ReadText()]);
        StaticAssertEmitter.Output c = StaticAssertEmitter.Emit(metadata, [header.FullPath]);
        GccResult result = gcc.CompileObject(c.Source, [UapiHeaders.IncludeDir]);
        TestContext.Progress.WriteLine($"[{gcc.Profile}] userfaultfd.h: {c.Total} checks, {result.Errors.Count} failed");
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, string.Join('\n', result.Errors.Take(40)));
            Assert.That(metadata.Records.Single(r => r.CName == "struct uffd_msg").Size, Is.EqualTo(32));
            // READ|WRITE is 3 << 30 in the generic encoding and 6 << 29 on powerpc: the same bits.
            Assert.That(metadata.Constants.Single(k => k.Name == "UFFDIO_API").Value, Is.EqualTo(0xC018AA3Fu));
        });
    }

    [Test]
    public void Ioctl_numbers_follow_the_profile_encoding()
    {
        uint Constant(string profile, string name) =>
            (uint)ProofRun.For(profile).Metadata.Constants.First(c => c.Name == name).Value;
        Assert.Multiple(() =>
        {
            Assert.That(Constant("x86_64", "IOMMU_IOAS_MAP"), Is.EqualTo(0x3B85u));
            Assert.That(Constant("aarch64", "IOMMU_IOAS_MAP"), Is.EqualTo(0x3B85u));
            // powerpc encodes _IOC_NONE as 1 in the top three bits.
            Assert.That(Constant("ppc64le", "IOMMU_IOAS_MAP"), Is.EqualTo(0x20003B85u));
            Assert.That(Constant("ppc64le", "IOMMU_TEST_CMD"), Is.EqualTo(0x20003BA0u));
        });
    }

    [TestCase("bindings")]
    [TestCase("userfaultfd")]
    public void Generated_code_carries_the_contract_attributes(string headers)
    {
        GeneratedMetadata metadata = headers == "bindings"
            ? ProofRun.For("x86_64").Metadata
            : GeneratedMetadata.Read(InMemoryAssembly.Load(GeneratorHarness.Generate(GeneratorUnderTest.Create(),
                [UapiHeaders.Userfaultfd.Input()], "x86_64").Output),
                [UapiHeaders.Userfaultfd.ReadText()]);
        Assert.Multiple(() =>
        {
            Assert.That(metadata.Problems, Is.Empty, "generated items the proof cannot read");
            Assert.That(metadata.MissingCNames, Is.Empty, "constants without [CName]");
        });
    }

    [Test]
    public void A_wrong_fact_fails_the_proof()
    {
        // The proof must be able to fail: one member offset and one constant made wrong.
        GccToolchain.X86_64.RequireInstalled(mandatory: true);
        GeneratedMetadata metadata = ProofRun.For("x86_64").Metadata;
        CRecord map = metadata.Records.Single(r => r.CName == "struct iommu_ioas_map");
        var wrongMap = map with { Members = [.. map.Members.Select(m => m.Path == "iova" ? m with { Offset = m.Offset + 8 } : m)] };
        GeneratedMetadata wrong = metadata.With(
            [.. metadata.Records.Select(r => r == map ? wrongMap : r)],
            [.. metadata.Constants.Select(k => k.Name == "IOMMU_IOAS_MAP" ? k with { Value = 0x3B86u } : k)]);
        StaticAssertEmitter.Output c = StaticAssertEmitter.Emit(wrong, UapiHeaders.Bindings.Select(h => h.FullPath));
        GccResult result = GccToolchain.X86_64.CompileObject(c.Source, [UapiHeaders.IncludeDir]);
        Assert.That(result.Errors, Has.Some.Contains("offsetof(struct iommu_ioas_map, iova) == 40"));
        Assert.That(result.Errors, Has.Some.Contains("IOMMU_IOAS_MAP == 0x3B86u"));
    }

    private static readonly Lazy<GccDeclarations> GccInventory = new(() =>
        GccDeclarations.Read([.. UapiHeaders.Bindings.Select(h => h.FullPath)], [UapiHeaders.IncludeDir]));

    private static void AssertCompiledThe612Headers(GccResult result)
    {
        // The host's /usr/include/linux/vfio.h is Linux 6.1's: gcc must have read the fetched 6.12 ones.
        string deps = result.Dependencies.Replace("\\\n", " ");
        Assert.Multiple(() =>
        {
            foreach (UapiHeader header in UapiHeaders.Bindings)
                Assert.That(deps, Does.Contain(header.FullPath), $"gcc did not read {header.FullPath}");
            Assert.That(deps, Does.Not.Contain("/usr/include/linux/vfio.h"));
            Assert.That(deps, Does.Not.Contain("/usr/include/linux/iommufd.h"));
        });
    }
}

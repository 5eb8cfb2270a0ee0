using IommuFd.Bindings;
using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Replay;
using IommuFd.Conformance.Traces;
using IommuFd.Interop;

namespace IommuFd.Conformance.Requirements;

/// <summary>What one trace needs (docs/traces.md, "Requirements"), whether a backend meets it, and
/// whether a replay got past the trace's set-up.</summary>
/// <remarks>The set-up of a trace is its need-bearing steps: for <c>mock-domain</c> the
/// IOMMU_TEST_CMD steps with op MOCK_DOMAIN or MOCK_DOMAIN_FLAGS, for <c>hugetlb</c> the hugetlb
/// <c>alloc</c> steps, for <c>vfio-device</c> the <c>open</c> steps of a <c>/dev/vfio/devices/</c> node
/// (a kernel range bears on no step). A replay got past the set-up when, for each need, at least one
/// of its steps succeeded: only then did the trace exercise what it needs, and only then may a
/// replay or a diff of it pass. A trace whose need-bearing steps are all meant to fail (a MOCK_DOMAIN
/// that must answer EFAULT) names its set-up instead: its first N steps, each of which must succeed.</remarks>
public sealed class TraceRequirements
{
    /// <summary>Creates requirements from needs (duplicates dropped).</summary>
    /// <param name="needs">The needs.</param>
    /// <param name="setUpSteps">The set-up is the first this many steps; null: the need-bearing steps.</param>
    public TraceRequirements(IEnumerable<TraceNeed> needs, int? setUpSteps = null)
    {
        Needs = [.. needs.Distinct()];
        SetUpSteps = setUpSteps;
    }

    /// <summary>The length of a set-up named by the trace, or null (its need-bearing steps are its set-up).</summary>
    public int? SetUpSteps { get; }

    /// <summary>A trace that needs nothing beyond iommufd.</summary>
    public static TraceRequirements None { get; } = new([]);

    /// <summary>The needs, in declaration order.</summary>
    public IReadOnlyList<TraceNeed> Needs { get; }

    /// <summary>True when the trace needs <paramref name="kind"/>.</summary>
    public bool Has(NeedKind kind) => Needs.Any(n => n.Kind == kind);

    /// <summary>The needs of the trace file <paramref name="tracePath"/>: those of every
    /// <c>requires.json</c> in its folder and the folders above it, up to <paramref name="root"/>
    /// (the traces folder; null: up to the file system root).</summary>
    /// <exception cref="TraceFormatException">A malformed requirements file.</exception>
    public static TraceRequirements ForFile(string tracePath, string? root = null)
    {
        string full = Path.GetFullPath(tracePath);
        string? stop = root is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var needs = new List<TraceNeed>();
        int? setUp = null;
        for (string? dir = Path.GetDirectoryName(full); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            string file = Path.Combine(dir, RequirementsFile.FileName);
            if (File.Exists(file))
            {
                RequirementsFile requirements = RequirementsFile.Load(file);
                needs.AddRange(requirements.Folder);
                string name = Path.ChangeExtension(Path.GetRelativePath(dir, full), null).Replace(Path.DirectorySeparatorChar, '/');
                if (requirements.Traces.TryGetValue(name, out RequirementsFile.TraceEntry? own))
                {
                    needs.AddRange(own.Needs);
                    setUp ??= own.SetUpSteps;
                }
            }
            if (stop is not null && string.Equals(dir, stop, StringComparison.Ordinal))
                break;
        }
        return new TraceRequirements(needs, setUp);
    }

    /// <summary>Null when every backend meets every need; otherwise why not, e.g.
    /// <c>needs mock-domain: kernel: IOMMU_TEST_OP_MOCK_DOMAIN on a fresh IOAS answered EINVAL</c>.
    /// Probes are cached per backend (<see cref="NeedProbe"/>).</summary>
    public string? Unmet(params IIommuBackend[] backends)
    {
        foreach (TraceNeed need in Needs)
        {
            var findings = backends.Select(b => (b.Name, Finding: NeedProbe.Check(b, need))).Where(f => f.Finding is not null).ToList();
            if (findings.Count > 0)
                return $"{UnmetPrefix}{need}: {string.Join("; ", findings.Select(f => $"{f.Name}: {f.Finding}"))}";
        }
        return null;
    }

    /// <summary>How every <see cref="Unmet"/> reason starts.</summary>
    public const string UnmetPrefix = "needs ";

    /// <summary>The steps of <paramref name="trace"/> that bear <paramref name="need"/> (its set-up for that need).</summary>
    public static IEnumerable<int> BearingSteps(Trace trace, TraceNeed need) =>
        Enumerable.Range(0, trace.Steps.Count).Where(i => Bears(trace.Steps[i], need.Kind));

    /// <summary>Null when <paramref name="results"/> (a replay of <paramref name="trace"/>) got past the
    /// set-up; otherwise what did not succeed, e.g. <c>set-up not reached: no mock-domain step succeeded
    /// (step 4: EINVAL)</c>.</summary>
    public string? SetUpNotReached(Trace trace, IReadOnlyList<StepResult> results)
    {
        if (SetUpSteps is { } named)
        {
            int failed = Enumerable.Range(0, named).FirstOrDefault(i => i >= results.Count || results[i].Errno != 0, -1);
            return failed < 0 ? null
                : $"{SetUpPrefix}step {failed} of its {named}-step set-up {(failed < results.Count ? $"answered {ErrnoNames.Name(results[failed].Errno)}" : "did not run")}";
        }
        foreach (TraceNeed need in Needs)
        {
            var steps = BearingSteps(trace, need).ToList();
            if (steps.Count == 0)
                return $"{SetUpPrefix}the trace needs {need} but no step uses it";
            if (steps.Any(i => i < results.Count && results[i].Errno == 0))
                continue;
            string answers = string.Join(", ", steps.Take(4).Select(i => i < results.Count ? $"step {i}: {ErrnoNames.Name(results[i].Errno)}" : $"step {i}: not run"));
            return $"{SetUpPrefix}no {need} step succeeded ({answers}{(steps.Count > 4 ? ", ..." : "")})";
        }
        return null;
    }

    /// <summary>How every <see cref="SetUpNotReached"/> reason starts.</summary>
    public const string SetUpPrefix = "set-up not reached: ";

    /// <inheritdoc />
    public override string ToString() => Needs.Count == 0 ? "nothing" : string.Join(", ", Needs);

    private static bool Bears(TraceStep step, NeedKind kind) => (kind, step) switch
    {
        (NeedKind.Hugetlb, AllocStep alloc) => alloc.Hugetlb,
        (NeedKind.VfioDevice, OpenStep open) => open.Path?.StartsWith("/dev/vfio/devices/", StringComparison.Ordinal) == true,
        // The op as its JSON text: a parsed trace holds JSON elements, a trace built in code plain ints.
        (NeedKind.MockDomain, IoctlStep ioctl) => ioctl.Command == "IOMMU_TEST_CMD" && ioctl.Arg?["op"]?.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && long.TryParse(ioctl.Arg["op"]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out long op)
            && (uint)op is (uint)IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN or (uint)IommufdTest.IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
        _ => false,
    };
}

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>Whether and how the test kernel boots under QEMU (<see cref="RunnerOptions.Vm"/>).</summary>
public enum VmMode
{
    /// <summary>Boot the intel model when qemu and a cached test kernel exist; otherwise say why not.</summary>
    Auto,
    /// <summary>Never boot it.</summary>
    None,
    /// <summary>Boot it with an emulated Intel VT-d.</summary>
    Intel,
    /// <summary>Boot it with an emulated AMD-Vi.</summary>
    Amd,
    /// <summary>Boot it with virtio-iommu (where the mock IOMMU owns the mock devices).</summary>
    Virtio,
    /// <summary>Boot the arm64 test kernel on QEMU's virt machine with an emulated Arm SMMUv3 (word
    /// <c>arm64-smmuv3</c>); the guest runs this runner's linux-arm64 publish.</summary>
    Arm64Smmuv3,
}

/// <summary>LAVA signals (<see cref="RunnerOptions.Lava"/>).</summary>
public enum LavaMode
{
    /// <summary>Signal when lava-test-case is on PATH.</summary>
    Auto,
    /// <summary>Never signal.</summary>
    Off,
}

/// <summary>The backends the runner knows (<see cref="RunnerOptions.Backends"/>).</summary>
public enum RunnerBackend
{
    /// <summary>The reference engine: tests no kernel.</summary>
    Engine,
    /// <summary>The running kernel's /dev/iommu.</summary>
    Kernel,
}

/// <summary>The settings' words for the modes and backends (lower case, as options, group names and help
/// show them) and back. Options hold the words; they are checked against <see cref="Words{T}"/> at start,
/// so <see cref="Parse{T}"/> sees only known ones.</summary>
public static class RunModes
{
    /// <summary>The word of <paramref name="value"/>: <c>intel</c>, <c>off</c>, <c>kernel</c>; a digit
    /// followed by a capital gets a hyphen between them (<c>Arm64Smmuv3</c>: <c>arm64-smmuv3</c>).</summary>
    public static string Word<T>(T value) where T : struct, Enum =>
        System.Text.RegularExpressions.Regex.Replace(value.ToString(), "(?<=[0-9])(?=[A-Z])", "-").ToLowerInvariant();

    /// <summary>Every word of <typeparamref name="T"/>, in declaration order.</summary>
    public static IReadOnlyList<string> Words<T>() where T : struct, Enum => [.. Enum.GetValues<T>().Select(Word)];

    /// <summary>The value of a word of <see cref="Words{T}"/>.</summary>
    /// <exception cref="ArgumentException">Not one of them.</exception>
    public static T Parse<T>(string word) where T : struct, Enum
    {
        foreach (T value in Enum.GetValues<T>())
            if (Word(value) == word)
                return value;
        throw new ArgumentException($"'{word}' is not one of {string.Join(", ", Words<T>())}", nameof(word));
    }
}

using System.Text.Json;

namespace IommuFd.HardwareRunner.Probe;

/// <summary>A built test kernel in the cache.</summary>
/// <param name="Image">Path of its bzImage.</param>
/// <param name="Release">Its release string (<c>uname -r</c>), or <c>unknown</c> when the cache entry does not say.</param>
/// <param name="ConfigHash">SHA-256 of its .config, or the cache key when unknown.</param>
public sealed record TestKernelInfo(string Image, string Release, string ConfigHash)
{
    /// <summary>The series of scripts/kernels.conf it was built for (e.g. <c>7.3</c>), when kernel.json says.</summary>
    public string? Series { get; init; }

    /// <summary>The Debian package of its source (e.g. <c>linux-source-7.3</c>), when kernel.json says.</summary>
    public string? SourcePackage { get; init; }

    /// <summary>The Debian version of that package (e.g. <c>7.3.4-1~bpo13+1</c>), when kernel.json says.</summary>
    public string? SourceVersion { get; init; }

    /// <summary>The architecture it was built for (<c>x86_64</c>, <c>arm64</c>), when kernel.json says.</summary>
    public string? Architecture { get; init; }

    /// <summary>Finds a cached test kernel: <c>&lt;cache&gt;/kernel/&lt;key&gt;/bzImage</c> (the newest when several),
    /// skipping build trees. Reads <c>kernel.json</c> beside it when there is one.</summary>
    public static TestKernelInfo? FindInCache(string cacheDirectory)
    {
        string root = Path.Combine(cacheDirectory, "kernel");
        if (!Directory.Exists(root))
            return null;
        FileInfo? image = Directory.EnumerateDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith("build-", StringComparison.Ordinal))
            .Select(d => new FileInfo(Path.Combine(d, "bzImage")))
            .Where(f => f.Exists)
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .FirstOrDefault();
        return image is null ? null : FromImage(image.FullName);
    }

    /// <summary>Describes the kernel at <paramref name="image"/>, reading <c>kernel.json</c> beside it if present.</summary>
    public static TestKernelInfo FromImage(string image)
    {
        string directory = Path.GetDirectoryName(image)!;
        string metadata = Path.Combine(directory, "kernel.json");
        try
        {
            if (File.Exists(metadata))
            {
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(metadata));
                string? Text(string name) =>
                    doc.RootElement.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s ? s : null;
                return new TestKernelInfo(image, Text("kernelRelease") ?? "unknown", Text("configSha256") ?? Path.GetFileName(directory))
                {
                    Series = Text("series"),
                    SourcePackage = Text("sourcePackage"),
                    SourceVersion = Text("sourceVersion"),
                    Architecture = Text("arch"),
                };
            }
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException)
        {
            // Metadata is a nicety; the image is what matters.
        }
        return new TestKernelInfo(image, "unknown", Path.GetFileName(directory));
    }
}

/// <summary>The result of looking for a test kernel.</summary>
/// <param name="Kernel">The kernel, or null.</param>
/// <param name="Detail">Where it was found, or why none was.</param>
/// <param name="Series">The series looked for, when the lookup was for one (the build builds that one).</param>
public sealed record KernelLookup(TestKernelInfo? Kernel, string Detail, string? Series = null);

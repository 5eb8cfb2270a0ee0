using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace IommuFd.HardwareRunner.Probe;

/// <summary>A kernel's .config, read from <c>/proc/config.gz</c> or <c>/boot/config-$(uname -r)</c>.</summary>
public sealed class KernelConfig
{
    private readonly Dictionary<string, string> _values;

    private KernelConfig(string text, string source)
    {
        Source = source;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        _values = [];
        foreach (string line in text.Split('\n'))
        {
            int eq = line.IndexOf('=');
            if (line.StartsWith("CONFIG_", StringComparison.Ordinal) && eq > 0)
                _values[line[..eq]] = line[(eq + 1)..].Trim();
        }
    }

    /// <summary>Where the text came from.</summary>
    public string Source { get; }

    /// <summary>SHA-256 of the config text: the "config hash" of result files.</summary>
    public string Sha256 { get; }

    /// <summary>The value of <c>CONFIG_<paramref name="symbol"/></c> (<c>y</c>, <c>m</c>, a number...), or null when unset.</summary>
    public string? Value(string symbol) => _values.GetValueOrDefault(symbol.StartsWith("CONFIG_", StringComparison.Ordinal) ? symbol : "CONFIG_" + symbol);

    /// <summary>True when the symbol is built in or a module.</summary>
    public bool IsEnabled(string symbol) => Value(symbol) is "y" or "m";

    /// <summary>Parses config text (for tests and for a cached test kernel's <c>config</c> file).</summary>
    public static KernelConfig Parse(string text, string source) => new(text, source);

    /// <summary>Reads the running kernel's config, or null when neither source exists or is readable.</summary>
    public static KernelConfig? Load(HostPaths paths, string release)
    {
        string gz = Path.Combine(paths.Proc, "config.gz");
        try
        {
            if (File.Exists(gz))
            {
                using var stream = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
                using var reader = new StreamReader(stream);
                return new KernelConfig(reader.ReadToEnd(), gz);
            }
            string boot = Path.Combine(paths.Boot, $"config-{release}");
            if (File.Exists(boot))
                return new KernelConfig(File.ReadAllText(boot), boot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // An unreadable config is reported as "unknown", not a crash.
        }
        return null;
    }
}

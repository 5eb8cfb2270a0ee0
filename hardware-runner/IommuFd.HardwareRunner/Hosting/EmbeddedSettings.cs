using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace IommuFd.HardwareRunner.Hosting;

/// <summary>The defaults compiled into the runner (its appsettings.json), so they hold wherever it is
/// started from: the lowest configuration layer, and what <c>--help</c> shows as defaults.</summary>
public static class EmbeddedSettings
{
    /// <summary>A fresh copy of the embedded JSON (the JSON provider reads its stream when the
    /// configuration is built, after the caller's scope).</summary>
    public static Stream Open()
    {
        using Stream embedded = Assembly.GetExecutingAssembly().GetManifestResourceStream("IommuFd.HardwareRunner.appsettings.json")
                                ?? throw new InvalidOperationException("embedded appsettings.json missing");
        var copy = new MemoryStream();
        embedded.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }

    /// <summary>The defaults as configuration keys (<c>OutputDirectory</c>, <c>VmSettings:MemoryMiB</c>).</summary>
    public static IConfiguration Load() => new ConfigurationBuilder().AddJsonStream(Open()).Build();
}

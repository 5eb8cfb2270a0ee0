using IommuFd.UapiGenerator.Testing;

namespace IommuFd.UapiGenerator.Tests.Infrastructure;

/// <summary>Where this project's golden files and test data are (headers: <see cref="UapiHeaders"/>).</summary>
internal static class RepoPaths
{
    public static string GoldenDirectory => Path.Combine(UapiHeaders.RepoRoot, "generators", "IommuFd.UapiGenerator.Tests", "Golden");

    public static string DataDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "Data");
}

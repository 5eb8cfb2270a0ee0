using System.Diagnostics;
using System.Runtime.InteropServices;
using IommuFd.HardwareRunner.Hosting;
using IommuFd.HardwareRunner.Results;
using IommuFd.HardwareRunner.Tests.Support;
using IommuFd.Interop;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>The LAVA definition as a lab device runs it: its steps (run.sh as LAVA writes it) in a
/// fresh folder outside the repository, with a PATH holding a few system tools but no dotnet, stub
/// lava-test-case and lava-test-set helpers that record their calls, and a release tarball given as a
/// file:// URL. The recorded sets and cases must be the KTAP results, group by group.</summary>
/// <remarks>The tarball comes from IOMMUFD_RELEASE_TARBALL when set (one the build made), else it is
/// made once for this machine's architecture with hardware-runner/release/make-release.sh.</remarks>
[NonParallelizable]
public sealed class LavaDefinitionTests
{
    private static readonly string[] Tools =
        ["sh", "rm", "mkdir", "cp", "cat", "tee", "tar", "gzip", "curl", "sha256sum", "uname", "python3"];

    private string _repo = "";
    private string _tarball = "";
    private TempDirectory? _release;

    [OneTimeSetUp]
    public void MakeRelease()
    {
        _repo = RepositoryLocator.Find() ?? throw new InvalidOperationException("the tests run inside the repository");
        if (Environment.GetEnvironmentVariable(EnvironmentVariables.ReleaseTarball) is { Length: > 0 } given)
        {
            _tarball = Path.GetFullPath(given);
            Assert.That(File.Exists(_tarball), $"IOMMUFD_RELEASE_TARBALL names {_tarball}, which does not exist");
            return;
        }
        _release = new TempDirectory();
        string rid = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var info = new ProcessStartInfo(Path.Combine(_repo, "hardware-runner", "release", "make-release.sh"))
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (string a in new[] { "--rid", rid, "--output", _release.Path, "--version", "test" }) info.ArgumentList.Add(a);
        // The test host's MSBuild variables would steer the script's own dotnet.
        foreach (string key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        (int code, string stdout, string stderr) = Run(info, TimeSpan.FromMinutes(15));
        Assert.That(code, Is.Zero, $"make-release.sh failed:\n{stdout}\n{stderr}");
        _tarball = stdout.Trim().Split('\n')[^1];
    }

    [OneTimeTearDown]
    public void RemoveRelease() => _release?.Dispose();

    [Test]
    public void DependenciesNeedNoSdkAndNoKernelSource()
    {
        LavaDefinition definition = LavaDefinition.Load(DefinitionPath);
        Assert.That(definition.Dependencies, Has.None.Contains("dotnet").And.None.Contains("linux-source"));
        Assert.That(definition.Steps, Has.None.Contains("dotnet").And.None.Contains("fetch-uapi-headers"));
    }

    [Test]
    public void StepsReportEveryKtapResultInItsGroupsSet()
    {
        using var device = new TempDirectory();
        string calls = device.Combine("lava-calls.txt");
        string stubs = device.Combine("lava-bin"), tools = device.Combine("tools");
        Directory.CreateDirectory(stubs);
        Directory.CreateDirectory(tools);
        foreach (string helper in new[] { "lava-test-case", "lava-test-set" })
        {
            File.WriteAllText(Path.Combine(stubs, helper), $"#!/bin/sh\necho \"{helper} $*\" >> '{calls}'\n");
            File.SetUnixFileMode(Path.Combine(stubs, helper), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        foreach (string tool in Tools)
        {
            string? found = new[] { "/usr/bin", "/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
            Assert.That(found, Is.Not.Null, $"{tool} is needed to run the definition's steps");
            File.CreateSymbolicLink(Path.Combine(tools, tool), found!);
        }
        string testFolder = device.Combine("tests", "0_iommufd-conformance");
        Directory.CreateDirectory(testFolder);
        LavaDefinition definition = LavaDefinition.Load(DefinitionPath);
        File.WriteAllText(device.Combine("run.sh"), definition.RunScript(testFolder, new Dictionary<string, string>
        {
            ["RELEASE_URL"] = new Uri(_tarball).AbsoluteUri,
            ["RELEASE_SHA256"] = Sha256(_tarball),
            ["RUNNER_ARGS"] = "--backend engine --vm none",
        }));

        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = device.Path };
        info.ArgumentList.Add(device.Combine("run.sh"));
        info.Environment.Clear();
        info.Environment["PATH"] = $"{stubs}:{tools}";
        info.Environment["HOME"] = device.Path;
        var watch = Stopwatch.StartNew();
        (int code, string stdout, string stderr) = Run(info, TimeSpan.FromMinutes(10));
        TestContext.Out.WriteLine($"the definition's steps took {watch.Elapsed.TotalSeconds:F0} s");
        Assert.That(code, Is.Zero, $"run.sh failed:\n{stdout}\n{stderr}");

        KtapDocument ktap = KtapDocument.Parse(File.ReadAllText(Path.Combine(testFolder, "results", "ktap.txt")));
        var expected = new List<string>();
        foreach (KtapDocument.Result group in ktap.Results)
        {
            expected.Add($"lava-test-set start {KcidbWriter.PathOf(group.Name)}");
            foreach (KtapDocument.Result c in group.Subtest!.Results)
                expected.Add($"lava-test-case {KcidbWriter.PathOf($"{group.Name}.{c.Name}")} --result {LavaResult(c)}");
            expected.Add("lava-test-set stop");
        }
        string rc = File.ReadAllText(Path.Combine(testFolder, "results", "exit-code")).Trim();
        expected.Add($"lava-test-case runner-exit --result {(rc is "0" or "4" ? "pass" : "fail")} --measurement {rc} --units exit-code");

        Assert.That(ktap.Results.SelectMany(g => g.Subtest!.Results).Count(), Is.GreaterThan(100), "the engine group replays every trace");
        Assert.That(File.ReadAllLines(calls), Is.EqualTo(expected));
    }

    private string DefinitionPath => Path.Combine(_repo, "hardware-runner", "lava", "iommufd-conformance.yaml");

    private static string LavaResult(KtapDocument.Result c) => (c.Ok, c.Directive) switch
    {
        (true, { } d) when d.StartsWith("SKIP", StringComparison.Ordinal) => "skip",
        (true, _) => "pass",
        (false, { } d) when d.StartsWith("SKIP", StringComparison.Ordinal) => "unknown",
        _ => "fail",
    };

    private static string Sha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    private static (int Code, string Stdout, string Stderr) Run(ProcessStartInfo info, TimeSpan limit)
    {
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{info.FileName} did not finish within {limit}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

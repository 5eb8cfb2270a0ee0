using System.CommandLine;
using IommuFd.HardwareRunner.Cli;
using IommuFd.HardwareRunner.Execution;
using IommuFd.HardwareRunner.Hosting;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>What a person sees of the command line: help with defaults, environment variables and
/// exit codes; number errors in plain words; one program name.</summary>
public sealed class CommandLineTests
{
    private static string Help(params string[] args)
    {
        var output = new StringWriter();
        int exit = RunnerCommandLine.Build((_, _, _) => Task.FromResult(0)).Parse(args).Invoke(new InvocationConfiguration { Output = output });
        Assert.That(exit, Is.Zero);
        return output.ToString();
    }

    [Test]
    public void HelpShowsDefaultsEnvironmentVariablesAndExitCodes()
    {
        string help = Help("run", "--help");

        Assert.That(help, Does.Contain("[default: artifacts/hardware-runner] [env: IOMMUFD_RUNNER_OutputDirectory]"));
        Assert.That(help, Does.Contain("[default: 16] [env: IOMMUFD_RUNNER_RandomSequences]"));
        Assert.That(help, Does.Contain("[default: the cached test kernel] [env: IOMMUFD_RUNNER_VmSettings__KernelImage]"));
        Assert.That(help, Does.Match(@"VmSettings:MemoryMiB\s+\[default: 2048\] \[env: IOMMUFD_RUNNER_VmSettings__MemoryMiB\]"), "settings without an option too");
        Assert.That(help, Does.Contain("IOMMUFD_REQUIRE_KERNEL=1").And.Contain(RunnerHost.LocalSettingsFile));
        foreach (string code in new[] { "0 ", "1 ", "4 ", "64 ", "124 " })
            Assert.That(help, Does.Contain($"\n  {code}"), $"exit code {code}");
        Assert.That(help, Does.Not.Contain("iommufd-runner"));
    }

    /// <summary>Under the test host the executable is "testhost"; published as one file it is
    /// IommuFd.HardwareRunner, which System.CommandLine's own root naming shortened to "IommuFd".</summary>
    [Test]
    public void UsageNamesTheProgramWhateverTheExecutableIsCalled()
    {
        Assert.That(Help("--help"), Does.Contain($"Usage:\n  {RunnerProgram.Name} [command] [options]"));
        Assert.That(Help("run", "--help"), Does.Contain($"Usage:\n  {RunnerProgram.Name} run [options]"));
        Assert.That(Help("--version"), Is.Not.Empty);
    }

    [Test]
    public void EveryDefaultInHelpIsTheOneTheRunnerUses()
    {
        string help = Help("run", "--help");
        var o = new RunnerOptions();
        foreach (string shown in new[] { $"[default: {o.TestTimeoutSeconds}]", $"[default: {o.RunTimeoutSeconds}]", $"[default: {o.Origin}]", $"[default: {o.Vm}]", $"[default: {o.VmSettings.HugePages}]" })
            Assert.That(help, Does.Contain(shown));
    }

    [TestCase("--random", "abc", "--random: 'abc' is not a whole number")]
    [TestCase("--seed", "1.5", "--seed: '1.5' is not a whole number")]
    [TestCase("--test-timeout", "soon", "--test-timeout: 'soon' is not a number")]
    public void ANumberErrorReadsLikeTheRest(string option, string value, string message)
    {
        var errors = RunnerCommandLine.Build((_, _, _) => Task.FromResult(0)).Parse(["run", option, value]).Errors;
        Assert.That(errors.Select(e => e.Message), Is.EqualTo(new[] { message }));
    }

    [Test]
    public async Task ANumberErrorFromTheEnvironmentReadsTheSame()
    {
        var error = new StringWriter();
        int exit = await RunnerHost.RunAsync(new VerbRequest("probe", ""), new Dictionary<string, string?> { ["RandomSequences"] = "abc" },
            new RunnerComponents(null, new Dictionary<string, Suites.IBackendProvider>(), null), new ConsoleStreams(new StringWriter(), error, false));

        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error.ToString(), Is.EqualTo("IommuFd.HardwareRunner: RandomSequences: 'abc' is not a whole number\n"));
    }

    [Test]
    public async Task NumbersGivenOnTheCommandLineBecomeConfigurationAsWritten()
    {
        IReadOnlyDictionary<string, string?>? configuration = null;
        var root = RunnerCommandLine.Build((_, c, _) => { configuration = c; return Task.FromResult(0); });
        await root.Parse(["run", "--random", "0", "--seed", "7", "--run-timeout", "1e3"]).InvokeAsync();
        Assert.That(configuration, Is.EquivalentTo(new Dictionary<string, string?> { ["RandomSequences"] = "0", ["RandomSeed"] = "7", ["RunTimeoutSeconds"] = "1000" }));
    }

    [Test]
    public void TheProgramHasOneNameAndItIsTheBuiltExecutable()
    {
        Assert.That(RunnerProgram.Name, Is.EqualTo("IommuFd.HardwareRunner"));
        Assert.That(File.Exists(Path.Combine(AppContext.BaseDirectory, RunnerProgram.Name + ".dll")), Is.True);
        Assert.That(RunnerHost.LocalSettingsFile, Is.EqualTo("IommuFd.HardwareRunner.json"));
    }
}

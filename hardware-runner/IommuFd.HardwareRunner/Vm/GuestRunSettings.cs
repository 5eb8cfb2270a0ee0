namespace IommuFd.HardwareRunner.Vm;

/// <summary>How the runner inside the guest is started: the same build of this runner (the guest sees
/// the host's file system read-only), run by the host's dotnet or, published as a single file, by
/// itself, with <c>--backend kernel</c> and its results going to the out share.</summary>
/// <param name="DotnetHost">Path of the dotnet executable, or of the single-file runner.</param>
/// <param name="RunnerAssembly">Path of IommuFd.HardwareRunner.dll; empty for a single-file runner.</param>
/// <param name="Arguments">The <c>run</c> arguments the guest runner gets (backends, traces, seeds, limits).</param>
public sealed record GuestRunSettings(string DotnetHost, string RunnerAssembly, IReadOnlyList<string> Arguments)
{
    /// <summary>The host folder shared with a guest that cannot see the host's root (the arm64 guest's
    /// runner), or null.</summary>
    public string? AppDirectory { get; init; }

    /// <summary>The single-file runner published for another architecture in <paramref name="hostFolder"/>,
    /// which the guest sees at <paramref name="guestFolder"/>.</summary>
    public static GuestRunSettings Published(string hostFolder, string guestFolder, IReadOnlyList<string> arguments) =>
        new($"{guestFolder}/{typeof(GuestRunSettings).Assembly.GetName().Name}", "", arguments) { AppDirectory = hostFolder };

    /// <summary>The guest shell script: run the suite into <c>&lt;out&gt;/results</c> and keep its exit code.</summary>
    public string Script(string guestOut)
    {
        var words = new List<string> { DotnetHost };
        if (RunnerAssembly.Length > 0) words.Add(RunnerAssembly);
        words.Add("run");
        words.AddRange(Arguments);
        words.AddRange(["--output", $"{guestOut}/results", "--vm", "none", "--lava", "off"]);
        return "export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1\n" +
               $"{string.Join(' ', words.Select(Quote))} > {Quote(guestOut + "/guest-ktap.txt")}\n";
    }

    /// <summary>This runner: its assembly run by dotnet when it was built as one, else the
    /// single-file executable running now.</summary>
    public static GuestRunSettings ForThisRunner(IReadOnlyList<string> arguments)
    {
        string assembly = Path.Combine(AppContext.BaseDirectory, typeof(GuestRunSettings).Assembly.GetName().Name + ".dll");
        return File.Exists(assembly)
            ? new GuestRunSettings(FindDotnet(), assembly, arguments)
            : new GuestRunSettings(Environment.ProcessPath ?? throw new InvalidOperationException("the runner's own path is unknown"), "", arguments);
    }

    /// <summary>The dotnet executable the runner itself runs on.</summary>
    public static string FindDotnet()
    {
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk)) return fromSdk;
        string? process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet") return process;
        string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        foreach (string candidate in new[] { root is null ? "" : Path.Combine(root, "dotnet"), "/usr/share/dotnet/dotnet", "/usr/lib/dotnet/dotnet", "/usr/bin/dotnet" })
            if (candidate.Length > 0 && File.Exists(candidate))
                return new FileInfo(candidate).LinkTarget is { } target ? Path.GetFullPath(target, Path.GetDirectoryName(candidate)!) : candidate;
        return "dotnet";
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";
}

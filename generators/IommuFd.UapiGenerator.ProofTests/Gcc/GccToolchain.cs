using System.Diagnostics;
using IommuFd.Uapi;

namespace IommuFd.UapiGenerator.ProofTests.Gcc;

/// <summary>A gcc for one target: the generator profile it checks, the compiler executable and
/// the ioctl encoding of that architecture.</summary>
public sealed record GccToolchain(string Profile, string Executable, IocEncoding Encoding)
{
    /// <summary>The host compiler, for x86_64.</summary>
    public static readonly GccToolchain X86_64 = new("x86_64", "gcc", IocEncoding.Generic);

    /// <summary>Debian's gcc-aarch64-linux-gnu.</summary>
    public static readonly GccToolchain Aarch64 = new("aarch64", "aarch64-linux-gnu-gcc", IocEncoding.Generic);

    /// <summary>Debian's gcc-powerpc64le-linux-gnu.</summary>
    public static readonly GccToolchain Ppc64le = new("ppc64le", "powerpc64le-linux-gnu-gcc", IocEncoding.PowerPc);

    /// <summary>What scripts/headers_install.sh rewrites in uAPI headers, as -D options.</summary>
    public static readonly string[] SourceTreeDefines = ["-D__user=", "-D__packed=__attribute__((packed))"];

    /// <summary>Whether the compiler is on PATH.</summary>
    public bool IsInstalled => FindOnPath(Executable) is not null;

    /// <summary>Stops the test with a reason when the compiler is missing. The x86_64 host gcc
    /// and the aarch64 cross gcc are part of this project's toolchain (COMMON.md), so their
    /// absence fails instead of skipping.</summary>
    public void RequireInstalled(bool mandatory)
    {
        if (IsInstalled) return;
        string reason = $"{Executable} is not installed (Debian: apt-get install {DebianPackage})";
        if (mandatory) Assert.Fail(reason);
        Assert.Ignore(reason);
    }

    private string DebianPackage => Executable == "gcc" ? "gcc" : "gcc-" + Executable[..^"-gcc".Length];

    /// <summary>Compiles <paramref name="cSource"/> to an object file (never linked or run, so
    /// cross compilers work without a target sysroot's libc). Returns gcc's exit code and output.</summary>
    public GccResult CompileObject(string cSource, IEnumerable<string> includeDirs, IEnumerable<string>? extraArgs = null)
    {
        string dir = Directory.CreateTempSubdirectory("uapi-proof-").FullName;
        try
        {
            string source = Path.Combine(dir, "proof.c");
            File.WriteAllText(source, cSource);
            var psi = new ProcessStartInfo(Executable)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                WorkingDirectory = dir,
            };
            // gnu11 for _Static_assert and typeof; -O2 so __builtin_strcmp folds for the string
            // checks. The headers are the source tree's, so do what headers_install does to them:
            // drop the sparse annotation __user and spell __packed out (userfaultfd.h's uffd_msg).
            foreach (string arg in new[] { "-std=gnu11", "-O2", "-c", "-fmax-errors=0", "-MD", "-MF", "proof.d" }.Concat(SourceTreeDefines))
                psi.ArgumentList.Add(arg);
            foreach (string include in includeDirs)
            {
                psi.ArgumentList.Add("-I");
                psi.ArgumentList.Add(include);
            }
            foreach (string arg in extraArgs ?? [])
                psi.ArgumentList.Add(arg);
            psi.ArgumentList.Add("-o");
            psi.ArgumentList.Add("proof.o");
            psi.ArgumentList.Add(source);

            using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {Executable}");
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            string depFile = Path.Combine(dir, "proof.d");
            string dependencies = File.Exists(depFile) ? File.ReadAllText(depFile) : "";
            return new GccResult(process.ExitCode, stdout.Result + stderr, dependencies, cSource);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string? FindOnPath(string executable)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <inheritdoc/>
    public override string ToString() => Profile;
}

/// <summary>What gcc said about one translation unit.</summary>
/// <param name="ExitCode">0 when it compiled.</param>
/// <param name="Output">gcc's diagnostics.</param>
/// <param name="Dependencies">The make dependency list (-MD): every header gcc actually read.</param>
/// <param name="Source">The C source, to show when a check fails.</param>
public sealed record GccResult(int ExitCode, string Output, string Dependencies, string Source)
{
    /// <summary>Lines of gcc output that are errors (failed assertions among them).</summary>
    public IReadOnlyList<string> Errors =>
        Output.Split('\n').Where(line => line.Contains("error:", StringComparison.Ordinal)).ToList();
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace IommuFd.UapiGenerator.ProofTests.Gcc;

/// <summary>What a set of headers declares, according to gcc itself rather than the generator:
/// object-like macros with an integer or string value (<c>gcc -dM</c>, minus what the headers'
/// own includes define), and every struct/union tag, member access path and enumerator
/// (DWARF of a compile with <c>-fno-eliminate-unused-debug-types</c>, read with readelf).
/// This is the denominator of the proof's coverage.</summary>
public sealed partial class GccDeclarations
{
    /// <summary>Macros that gcc evaluates as integer constant expressions or string literals.</summary>
    public required IReadOnlySet<string> Constants { get; init; }

    /// <summary>Object-like macros that are neither (not expected as constants), with their text.</summary>
    public required IReadOnlyDictionary<string, string> OtherMacros { get; init; }

    /// <summary>Enumerators (members of named and anonymous enums).</summary>
    public required IReadOnlySet<string> Enumerators { get; init; }

    /// <summary>"struct tag" / "union tag" of every named record.</summary>
    public required IReadOnlySet<string> Records { get; init; }

    /// <summary>"struct tag: a.b" for every member path (anonymous members flattened, members
    /// of struct type expanded to their own members).</summary>
    public required IReadOnlySet<string> Members { get; init; }

    /// <summary>Reads the declarations of <paramref name="headers"/> (absolute paths) with the host gcc.</summary>
    public static GccDeclarations Read(IReadOnlyList<string> headers, IReadOnlyList<string> includeDirs)
    {
        string includes = string.Concat(headers.Select(h => $"#include \"{h}\"\n"));
        const string baseline = "#include <linux/types.h>\n#include <linux/ioctl.h>\n";
        Dictionary<string, string> macros = DefinedMacros(includes, includeDirs);
        foreach (string name in DefinedMacros(baseline, includeDirs).Keys)
            macros.Remove(name);

        var objectLike = macros.Where(m => !m.Key.Contains('(') && m.Value.Trim().Length > 0).ToDictionary();
        (HashSet<string> constants, Dictionary<string, string> others) = ClassifyMacros(includes, includeDirs, objectLike);

        var baselineDwarf = Dwarf.Read(RunGcc(baseline, includeDirs, ["-g", "-fno-eliminate-unused-debug-types", "-c"], readObjectWithReadelf: true));
        var dwarf = Dwarf.Read(RunGcc(includes, includeDirs, ["-g", "-fno-eliminate-unused-debug-types", "-c"], readObjectWithReadelf: true));
        var records = new HashSet<string>(dwarf.Records.Keys.Except(baselineDwarf.Records.Keys));
        var members = new HashSet<string>(dwarf.Records.Where(r => records.Contains(r.Key))
            .SelectMany(r => r.Value.Select(path => $"{r.Key}: {path}")));
        return new GccDeclarations
        {
            Constants = constants,
            OtherMacros = others,
            Enumerators = new HashSet<string>(dwarf.Enumerators.Except(baselineDwarf.Enumerators)),
            Records = records,
            Members = members,
        };
    }

    private static Dictionary<string, string> DefinedMacros(string source, IReadOnlyList<string> includeDirs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in RunGcc(source, includeDirs, ["-E", "-dM"]).Split('\n'))
        {
            Match m = DefineRegex().Match(line);
            if (m.Success) result[m.Groups[1].Value] = m.Groups[2].Value;
        }
        return result;
    }

    /// <summary>One probe line per macro; the lines gcc rejects are the macros that are not
    /// integer constant expressions. Those are probed again as string literals.</summary>
    private static (HashSet<string>, Dictionary<string, string>) ClassifyMacros(string includes, IReadOnlyList<string> includeDirs,
        Dictionary<string, string> macros)
    {
        string[] names = [.. macros.Keys.Order(StringComparer.Ordinal)];
        HashSet<string> notInteger = RejectedProbes(includes, includeDirs, names, n => $"_Static_assert((long long)({n}) || 1, \"\");");
        HashSet<string> notString = RejectedProbes(includes, includeDirs, [.. notInteger], n => $"static const char probe_{n}[] = {n};");
        var constants = new HashSet<string>(names.Where(n => !notInteger.Contains(n) || !notString.Contains(n)));
        var others = names.Where(n => !constants.Contains(n)).ToDictionary(n => n, n => macros[n]);
        return (constants, others);
    }

    private static HashSet<string> RejectedProbes(string includes, IReadOnlyList<string> includeDirs, string[] names, Func<string, string> probe)
    {
        var source = new StringBuilder(includes).Append("#line 1 \"probes\"\n");
        foreach (string name in names) source.Append(probe(name)).Append('\n');
        // Errors at the probe line, not inside the macro definition.
        string output = RunGcc(source.ToString(), includeDirs, ["-fsyntax-only", "-ftrack-macro-expansion=0"], allowFailure: true);
        var rejected = new HashSet<string>();
        foreach (Match m in ProbeErrorRegex().Matches(output))
        {
            int line = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            if (line >= 1 && line <= names.Length) rejected.Add(names[line - 1]);
        }
        return rejected;
    }

    private static string RunGcc(string source, IReadOnlyList<string> includeDirs, string[] args,
        bool allowFailure = false, bool readObjectWithReadelf = false)
    {
        string dir = Directory.CreateTempSubdirectory("uapi-decls-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "decls.c"), source);
            var gccArgs = new List<string> { "-std=gnu11" };
            gccArgs.AddRange(GccToolchain.SourceTreeDefines);
            foreach (string include in includeDirs) gccArgs.AddRange(["-I", include]);
            gccArgs.AddRange(args);
            if (readObjectWithReadelf) gccArgs.AddRange(["-o", "decls.o"]);
            gccArgs.Add("decls.c");
            (int exit, string output) = Run("gcc", gccArgs, dir);
            if (exit != 0 && !allowFailure) throw new InvalidOperationException($"gcc failed:\n{output}");
            if (!readObjectWithReadelf) return output;
            (exit, output) = Run("readelf", ["--debug-dump=info", "decls.o"], dir);
            if (exit != 0) throw new InvalidOperationException($"readelf failed:\n{output}");
            return output;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int, string) Run(string executable, IEnumerable<string> args, string workingDirectory)
    {
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {executable}");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    [GeneratedRegex(@"^#define ([A-Za-z_][A-Za-z0-9_]*(?:\([^)]*\))?) ?(.*)$")]
    private static partial Regex DefineRegex();

    [GeneratedRegex(@"^probes:(\d+):\d+: error", RegexOptions.Multiline)]
    private static partial Regex ProbeErrorRegex();
}

namespace IommuFd.Conformance.Traces.Catalogue;

/// <summary>The files of the catalogues under a traces folder: writes them, and tells which committed file
/// differs from what its catalogue builds.</summary>
public static class TraceCatalogueFiles
{
    /// <summary>The file of <paramref name="trace"/> under <paramref name="root"/>.</summary>
    public static string PathOf(string root, Trace trace) => Path.Combine(root, trace.Name + ".jsonl");

    /// <summary>Writes every trace of <paramref name="catalogues"/> under <paramref name="root"/>; returns the files whose text changed.</summary>
    public static IReadOnlyList<string> Write(string root, IEnumerable<TraceCatalogue> catalogues)
    {
        var changed = new List<string>();
        foreach (Trace trace in catalogues.SelectMany(c => c.Traces()))
        {
            string path = PathOf(root, trace);
            string text = trace.ToJsonLines();
            if (File.Exists(path) && File.ReadAllText(path) == text)
                continue;
            trace.Save(path);
            changed.Add(path);
        }
        return changed;
    }

    /// <summary>One line per committed file that differs from what its catalogue builds (missing, different at
    /// a line, or a file in a catalogue's folder that no catalogue builds); empty when all are current.</summary>
    public static IReadOnlyList<string> Stale(string root, IEnumerable<TraceCatalogue> catalogues)
    {
        var problems = new List<string>();
        var built = new HashSet<string>(StringComparer.Ordinal);
        var folders = new List<string>();
        foreach (TraceCatalogue catalogue in catalogues)
        {
            folders.Add(catalogue.Folder);
            foreach (Trace trace in catalogue.Traces())
            {
                string path = PathOf(root, trace);
                if (!built.Add(Path.GetFullPath(path)))
                    problems.Add($"{trace.Name}: built twice");
                else if (Difference(path, trace.ToJsonLines()) is { } difference)
                    problems.Add($"{Path.GetRelativePath(root, path)}: {difference}");
            }
        }
        foreach (string folder in folders)
        {
            string directory = Path.Combine(root, folder);
            if (!Directory.Exists(directory))
                continue;
            foreach (string file in Directory.EnumerateFiles(directory, "*.jsonl", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                if (!IsRegression(root, file) && !built.Contains(Path.GetFullPath(file)))
                    problems.Add($"{Path.GetRelativePath(root, file)}: no catalogue builds it (folder '{folder}')");
        }
        return problems;
    }

    // Saved regressions are written by the shrinker, not by a catalogue.
    private static bool IsRegression(string root, string file) =>
        Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar).Contains("regressions");

    private static string? Difference(string path, string expected)
    {
        if (!File.Exists(path))
            return "missing (regenerate: dotnet run --project conformance/IommuFd.TraceGen)";
        string[] have = File.ReadAllText(path).Split('\n');
        string[] want = expected.Split('\n');
        for (int i = 0; i < Math.Max(have.Length, want.Length); i++)
        {
            string? a = i < have.Length ? have[i] : null;
            string? b = i < want.Length ? want[i] : null;
            if (a != b)
                return $"line {i + 1} differs from its catalogue (regenerate: dotnet run --project conformance/IommuFd.TraceGen)\n" +
                       $"  file:      {a ?? "(end of file)"}\n  catalogue: {b ?? "(end of file)"}";
        }
        return null;
    }
}

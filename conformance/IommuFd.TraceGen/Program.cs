using IommuFd.Conformance.Traces.Catalogue;

// tracegen [--check] [TRACES_DIR]: writes every catalogue's traces under TRACES_DIR (default: the
// repository's conformance/traces, found above the working directory); --check writes nothing and exits 1
// when a committed file differs from its catalogue.
bool check = false;
string? root = null;
foreach (string arg in args)
{
    if (arg == "--check")
        check = true;
    else if (!arg.StartsWith('-') && root is null)
        root = arg;
    else
        return Usage($"unexpected argument '{arg}'");
}
root ??= RepositoryTraces();
if (root is null || !Directory.Exists(root))
    return Usage(root is null ? "no conformance/traces above the working directory: give TRACES_DIR" : $"no folder '{root}'");

if (check)
{
    IReadOnlyList<string> stale = TraceCatalogueFiles.Stale(root, TraceCatalogues.All);
    foreach (string problem in stale)
        Console.Error.WriteLine(problem);
    Console.WriteLine(stale.Count == 0 ? "traces current" : $"{stale.Count} trace file(s) differ from their catalogues");
    return stale.Count == 0 ? 0 : 1;
}
IReadOnlyList<string> changed = TraceCatalogueFiles.Write(root, TraceCatalogues.All);
foreach (string path in changed)
    Console.WriteLine($"wrote {Path.GetRelativePath(root, path)}");
Console.WriteLine($"{changed.Count} trace file(s) written");
return 0;

static int Usage(string problem)
{
    Console.Error.WriteLine($"tracegen: {problem} (usage: tracegen [--check] [TRACES_DIR])");
    return 64;
}

static string? RepositoryTraces()
{
    for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "IommuFdConformance.sln")))
            return Path.Combine(dir.FullName, "conformance", "traces");
    return null;
}

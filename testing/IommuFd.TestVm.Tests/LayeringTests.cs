using System.Xml.Linq;
using IommuFd.TestVm;

namespace IommuFd.TestVm.Tests;

/// <summary>Dependencies point one way: every project of the repository sits in one layer of
/// testing/layers.txt and references only projects of lower layers, and nothing outside
/// hardware-runner/ references a project inside it.</summary>
public class LayeringTests
{
    private string _root = "";

    [OneTimeSetUp]
    public void FindRepository()
    {
        if (TestKernel.FindRepositoryRoot() is not { } root)
        {
            Assert.Ignore("no repository around this assembly (a release or VM copy): there are no projects to check");
            return;
        }
        _root = root;
    }

    [Test]
    public void Every_project_references_only_lower_layers()
    {
        Layers layers = Layers.Load(Path.Combine(_root, "testing", "layers.txt"));
        var problems = new List<string>();
        foreach (string project in Projects())
        {
            string name = Path.GetFileNameWithoutExtension(project);
            if (layers.Of(name) is not { } layer)
            {
                problems.Add($"{Relative(project)}: in no layer of testing/layers.txt");
                continue;
            }
            foreach (string reference in References(project))
            {
                string target = Path.GetFileNameWithoutExtension(reference);
                if (layers.Of(target) is { } targetLayer && targetLayer >= layer)
                    problems.Add($"{name} ({layers.Name(layer)}) references {target} ({layers.Name(targetLayer)})");
            }
        }
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public void Nothing_outside_the_runner_references_it()
    {
        string runner = Path.Combine(_root, "hardware-runner") + Path.DirectorySeparatorChar;
        var problems = Projects().Where(p => !p.StartsWith(runner, StringComparison.Ordinal))
            .SelectMany(p => References(p).Where(r => r.StartsWith(runner, StringComparison.Ordinal)).Select(r => $"{Relative(p)} -> {Relative(r)}"))
            .ToList();
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public void The_architecture_document_names_every_project()
    {
        string doc = File.ReadAllText(Path.Combine(_root, "docs", "architecture.md"));
        var missing = Projects().Select(Path.GetFileNameWithoutExtension).Where(n => !doc.Contains(n!, StringComparison.Ordinal)).ToList();
        Assert.That(missing, Is.Empty, "projects docs/architecture.md does not show");
    }

    [Test]
    public void Layer_patterns_match_names_and_suffixes()
    {
        Layers layers = Layers.Parse(["low: A", "high: B *.Tests"]);
        Assert.Multiple(() =>
        {
            Assert.That(layers.Of("A"), Is.LessThan(layers.Of("B")!.Value));
            Assert.That(layers.Of("B.Tests"), Is.EqualTo(layers.Of("B")));
            Assert.That(layers.Of("C"), Is.Null);
        });
    }

    private IEnumerable<string> Projects() =>
        Directory.EnumerateFiles(_root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !Path.GetRelativePath(_root, p).StartsWith('.'))
            .Order(StringComparer.Ordinal);

    /// <summary>The full paths of a project's ProjectReferences ($(RepoRoot) or relative).</summary>
    private IEnumerable<string> References(string project) =>
        XDocument.Load(project).Descendants("ProjectReference")
            .Select(e => (string)e.Attribute("Include")!)
            .Select(include => include.Replace("$(RepoRoot)", _root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Select(include => Path.GetFullPath(include, Path.GetDirectoryName(project)!));

    private string Relative(string path) => Path.GetRelativePath(_root, path);

    /// <summary>The layers of testing/layers.txt, lowest first.</summary>
    private sealed class Layers
    {
        private readonly List<(string Name, string[] Patterns)> _layers = [];

        public static Layers Load(string path) => Parse(File.ReadAllLines(path));

        public static Layers Parse(IEnumerable<string> lines)
        {
            var layers = new Layers();
            foreach (string line in lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                    throw new FormatException($"layers.txt: '{line}' is not '<layer>: <project> ...'");
                layers._layers.Add((line[..colon], line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)));
            }
            return layers;
        }

        public int? Of(string project)
        {
            for (int i = 0; i < _layers.Count; i++)
            {
                if (_layers[i].Patterns.Any(p => p.StartsWith('*') ? project.EndsWith(p[1..], StringComparison.Ordinal) : p == project))
                    return i;
            }
            return null;
        }

        public string Name(int layer) => _layers[layer].Name;
    }
}

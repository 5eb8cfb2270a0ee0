using IommuFd.Conformance.Traces.Catalogue;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>The committed trace files are what their C# catalogues build (regenerate with
/// <c>dotnet run --project conformance/IommuFd.TraceGen</c>).</summary>
public sealed class TraceCatalogueTests
{
    public static IEnumerable<TestCaseData> Catalogues() =>
        TraceCatalogues.All.Select(c => new TestCaseData(c).SetArgDisplayNames(c.Folder));

    [TestCaseSource(nameof(Catalogues))]
    public void CommittedFilesAreWhatTheCatalogueBuilds(TraceCatalogue catalogue)
    {
        IReadOnlyList<string> stale = TraceCatalogueFiles.Stale(TraceFiles.Directory, [catalogue]);
        Assert.That(stale, Is.Empty, string.Join("\n", stale));
    }

    [TestCaseSource(nameof(Catalogues))]
    public void EveryTraceParsesBackToItself(TraceCatalogue catalogue)
    {
        foreach (Trace trace in catalogue.Traces())
        {
            string text = trace.ToJsonLines();
            Assert.That(Trace.Parse(trace.Name, text).ToJsonLines(), Is.EqualTo(text), trace.Name);
        }
    }

    [Test]
    public void EachFolderHasOneCatalogue() =>
        Assert.That(TraceCatalogues.All.Select(c => c.Folder), Is.Unique);
}

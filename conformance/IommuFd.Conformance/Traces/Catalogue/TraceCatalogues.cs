namespace IommuFd.Conformance.Traces.Catalogue;

/// <summary>Every trace catalogue: the folders of conformance/traces written in C#. A new folder adds its
/// catalogue here, one line.</summary>
public static class TraceCatalogues
{
    /// <summary>The catalogues, one per folder.</summary>
    public static IReadOnlyList<TraceCatalogue> All { get; } =
    [
        new SelftestTraces(),
        new ErrnoTraces(),
        new FailNthTraces(),
        new VfioTraces(),
        new MockDomainTraces(),
        new MapFileTraces(),
    ];
}

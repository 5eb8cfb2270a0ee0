using IommuFd.Conformance.Traces.Building;

namespace IommuFd.Conformance.Traces.Catalogue;

/// <summary>The traces of one folder of conformance/traces, written in C# with <see cref="TraceBuilder"/>.
/// The files are generated from it (<c>dotnet run --project conformance/IommuFd.TraceGen</c>) and a test
/// fails when a committed file differs from what its catalogue builds.</summary>
public abstract class TraceCatalogue
{
    /// <summary>The folder under conformance/traces whose files this catalogue writes (<c>"failnth"</c>).</summary>
    public abstract string Folder { get; }

    /// <summary>Every trace of the folder, named by its path under conformance/traces without <c>.jsonl</c>.</summary>
    public abstract IEnumerable<Trace> Traces();

    /// <summary>The selftests' iommufd_ioas fixture: a 16-page buffer "a" and an IOAS labelled "ioas".</summary>
    protected (TraceBuilder T, TraceBuffer A, IoasHandle Ioas) IoasFixture(string name)
    {
        TraceBuilder t = New(name);
        TraceBuffer a = t.Alloc("a", 16 * TraceConstants.Page);
        return (t, a, t.IoasAlloc("ioas"));
    }

    /// <summary>A builder for the trace <paramref name="name"/> of this folder.</summary>
    protected TraceBuilder New(string name, KernelRange? kernels = null) => new($"{Folder}/{name}", kernels);
}

using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;

namespace IommuFd.UapiGenerator.Testing;

/// <summary>Emits a compilation to memory and loads it in its own collectible context, so the
/// proof reflects over exactly what the runtime would lay out.</summary>
public static class InMemoryAssembly
{
    /// <summary>Emits and loads; throws with the compiler errors when emit fails.</summary>
    public static Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        EmitResult result = compilation.Emit(stream);
        if (!result.Success)
        {
            var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(30);
            throw new InvalidOperationException("generated code does not compile:\n" + string.Join("\n", errors));
        }
        stream.Position = 0;
        var context = new AssemblyLoadContext(compilation.AssemblyName, isCollectible: true);
        return context.LoadFromStream(stream);
    }
}

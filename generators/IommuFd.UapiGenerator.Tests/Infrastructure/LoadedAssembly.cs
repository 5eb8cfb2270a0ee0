using System.Reflection;
using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.Tests.Infrastructure;

/// <summary>Emits a compilation and loads it, to run generated code.</summary>
internal static class LoadedAssembly
{
    public static Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.That(emit.Success, Is.True, () => string.Join("\n", emit.Diagnostics));
        return Assembly.Load(stream.ToArray());
    }
}

using System.Collections;
using System.Reflection;
using IommuFd.UapiGenerator.Helpers;
using IommuFd.UapiGenerator.Model;
using IommuFd.UapiGenerator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace IommuFd.UapiGenerator.Tests;

/// <summary>Pipeline models hold only text and numbers: no Compilation, symbol, syntax node or
/// additional text (which would defeat caching and keep compilations alive).</summary>
public class ModelGraphTests
{
    private static readonly Type[] Forbidden =
        [typeof(Compilation), typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(AdditionalText), typeof(Location)];

    [Test]
    public void ModelsOfRealHeadersHoldNoRoslynObjects()
    {
        var (iommufd, vfio, test) = ModelRunner.RealHeaders();
        foreach (var model in new[] { iommufd, vfio, test })
            Walk(new CompileResult(model, EquatableArray<DiagnosticInfo>.Empty), "result", new HashSet<object>(ReferenceEqualityComparer.Instance));
    }

    [Test]
    public void EveryModelTypeIsEquatable()
    {
        var modelTypes = typeof(HeaderModel).Assembly.GetTypes().Where(t => t.Namespace == typeof(HeaderModel).Namespace && t.IsClass && !t.IsAbstract
            && t.GetMethod("<Clone>$") != null);
        Assert.That(modelTypes, Is.Not.Empty);
        foreach (var type in modelTypes)
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var p = property.PropertyType;
            bool ok = p.IsPrimitive || p.IsEnum || p == typeof(string) || p.Name.StartsWith("EquatableArray", StringComparison.Ordinal)
                || (Nullable.GetUnderlyingType(p) is { } u && (u.IsPrimitive || u.IsEnum))
                || p.GetMethod("<Clone>$") != null
                // Static descriptors, IEquatable over their ID, texts and severity.
                || p == typeof(DiagnosticDescriptor);
            Assert.That(ok, Is.True, $"{type.Name}.{property.Name} has type {p.Name}, which is not compared by value");
        }
    }

    private static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value == null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        foreach (var bad in Forbidden)
            Assert.That(bad.IsInstanceOfType(value), Is.False, $"{path} is a {bad.Name}");
        if (!value.GetType().IsValueType && !seen.Add(value)) return;
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items) Walk(item, $"{path}[{i++}]", seen);
            return;
        }
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.Name == "EqualityContract") continue;
            Walk(property.GetValue(value), path + "." + property.Name, seen);
        }
    }
}

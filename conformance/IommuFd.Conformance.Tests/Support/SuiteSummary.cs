using System.Collections.Concurrent;
using NUnit.Framework.Interfaces;

namespace IommuFd.Conformance.Tests.Support;

/// <summary>Counts test outcomes per backend for the closing summary.</summary>
internal static class SuiteSummary
{
    private static readonly ConcurrentDictionary<(string Backend, string Outcome), int> Counts = new();
    private static readonly ConcurrentDictionary<string, int> Fixtures = new();

    public static void TestStarted(string backend) => Fixtures.AddOrUpdate(backend, 1, (_, n) => n + 1);

    public static void Record(string backend, TestStatus status) =>
        Counts.AddOrUpdate((backend, status.ToString()), 1, (_, n) => n + 1);

    public static string Describe()
    {
        var lines = new List<string> { "conformance summary (tests per backend):" };
        foreach (string backend in Fixtures.Keys.Concat(Counts.Keys.Select(k => k.Backend)).Distinct().Order())
        {
            string outcomes = string.Join(", ", Counts.Where(c => c.Key.Backend == backend)
                .OrderBy(c => c.Key.Outcome).Select(c => $"{c.Value} {c.Key.Outcome.ToLowerInvariant()}"));
            lines.Add($"  {backend}: {(outcomes.Length == 0 ? "no test ran" : outcomes)}");
        }
        return string.Join('\n', lines);
    }
}

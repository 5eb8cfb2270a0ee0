using System.Text.Json;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Results;

/// <summary>Reads <c>results.jsonl</c> back (one <see cref="TestCaseResult"/> a line). A line cut
/// off by a crash is ignored.</summary>
public static class ResultJournal
{
    /// <summary>Every complete line of the journal at <paramref name="path"/>; empty when absent.</summary>
    public static IReadOnlyList<TestCaseResult> Read(string path)
    {
        if (!File.Exists(path)) return [];
        var results = new List<TestCaseResult>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            try
            {
                if (JsonSerializer.Deserialize<TestCaseResult>(line, RunJson.Options) is { } result)
                    results.Add(result);
            }
            catch (JsonException)
            {
                // A torn last line from a killed writer.
            }
        }
        return results;
    }
}

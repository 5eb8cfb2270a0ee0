using System.Globalization;
using System.Text;
using IommuFd.HardwareRunner.Model;

namespace IommuFd.HardwareRunner.Results;

/// <summary><c>report.md</c>: the run for people. Counts per group (backend), the cases that did
/// not pass, and every divergence with both backends' answers side by side and its repro file.</summary>
public sealed class MarkdownReportWriter : IRunFileWriter
{
    /// <inheritdoc />
    public string FileName => "report.md";

    /// <inheritdoc />
    public string Render(RunSnapshot run)
    {
        var md = new StringBuilder();
        RunEnvironment env = run.Environment;
        md.AppendLine($"# iommufd conformance run {env.RunId}");
        md.AppendLine();
        md.AppendLine($"- State: **{run.State.ToString().ToLowerInvariant()}**{(run.Incomplete is null ? "" : $" ({Cell(run.Incomplete)})")}");
        md.AppendLine($"- Host: {env.Hostname} ({env.Architecture}), kernel {env.HostKernel.Release}, config sha256 `{env.HostKernel.ConfigHash}`");
        md.AppendLine($"- Started: {run.Started.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}; updated {run.Updated.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}");
        md.AppendLine($"- Command: `{env.Command}`");
        foreach (string release in run.Groups.Where(g => g.Results.Any(r => !r.EngineOnly)).Select(g => g.Kernel ?? env.HostKernel)
                     .Where(k => !k.Missing).Select(k => k.Release).Distinct())
        {
            EngineModel model = EngineModel.For(release);
            md.AppendLine(model.Mismatch is { } why ? $"- Engine model: **{model.Model}**: {Cell(why)}" : $"- Engine model: {model.Model} (kernel {Cell(release)})");
        }
        md.AppendLine();

        md.AppendLine("## Counts per backend");
        md.AppendLine();
        md.AppendLine("| group | kernel | planned | pass | fail | skip | timeout | error | not run | xfail | xpass |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (GroupSnapshot g in run.Groups)
        {
            md.AppendLine($"| {Cell(g.Name)} | {Cell((g.Kernel ?? env.HostKernel).Release)} | {g.Planned} | {g.Count(TestStatus.Pass)} | {g.Count(TestStatus.Fail)} | " +
                          $"{g.Count(TestStatus.Skip)} | {g.Count(TestStatus.Timeout)} | {g.Count(TestStatus.Error)} | {g.Count(TestStatus.NotRun)} | " +
                          $"{g.Count(TestStatus.XFail)} | {g.Count(TestStatus.XPass)} |");
        }
        md.AppendLine();

        var notPassing = run.AllResults.Where(r => r.Status is not (TestStatus.Pass or TestStatus.Skip or TestStatus.XFail)).ToList();
        md.AppendLine($"## Not passing ({notPassing.Count})");
        md.AppendLine();
        if (notPassing.Count == 0)
            md.AppendLine("None.");
        else
        {
            md.AppendLine("| case | status | reason |");
            md.AppendLine("| --- | --- | --- |");
            foreach (TestCaseResult r in notPassing)
                md.AppendLine($"| `{Cell(r.Path)}` | {r.Status.ToString().ToUpperInvariant()} | {Cell(r.Reason ?? "")} |");
        }
        md.AppendLine();

        var divergences = run.AllResults.Where(r => r.Divergence is not null).ToList();
        md.AppendLine($"## Divergences ({divergences.Count})");
        md.AppendLine();
        if (divergences.Count == 0)
            md.AppendLine("None.");
        foreach (TestCaseResult r in divergences)
        {
            Divergence d = r.Divergence!;
            md.AppendLine($"### `{Cell(r.Path)}`: step {d.Step}, {Cell(d.Operation)}");
            md.AppendLine();
            md.AppendLine($"| {Cell(d.LeftBackend)} | {Cell(d.RightBackend)} |");
            md.AppendLine("| --- | --- |");
            md.AppendLine($"| {Cell(d.Left)} | {Cell(d.Right)} |");
            md.AppendLine();
            if (r.Repro is not null)
            {
                string file = ReproFiles.RelativePath(r);
                md.AppendLine($"Shrunk to [`{file}`]({file}). From this folder, `{RunnerProgram.Name} diff {file}` shows it again and `{RunnerProgram.Name} replay {file} --backend kernel` prints the kernel's answer to each step.");
                md.AppendLine();
            }
        }

        md.Append(TracePlaces.Render(run.AllResults));
        md.AppendLine();

        var skipped = run.AllResults.Where(r => r.Status == TestStatus.Skip).GroupBy(r => (r.Group, r.Reason)).ToList();
        if (skipped.Count > 0)
        {
            md.AppendLine("## Skipped");
            md.AppendLine();
            foreach (var s in skipped)
                md.AppendLine($"- {Cell(s.Key.Group)}: {s.Count()} case(s): {Cell(s.Key.Reason ?? "")}");
        }
        return md.ToString();
    }

    private static string Cell(string text) => text.ReplaceLineEndings("<br>").Replace("|", "\\|");
}

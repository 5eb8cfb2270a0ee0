namespace IommuFd.Conformance.Tests;

/// <summary>Prints the per-backend counts when the whole assembly has run.</summary>
[SetUpFixture]
public sealed class SuiteSetUp
{
    [OneTimeTearDown]
    public void PrintSummary() => TestContext.Progress.WriteLine(SuiteSummary.Describe());
}

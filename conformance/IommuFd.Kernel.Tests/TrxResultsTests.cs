using IommuFd.Testing;

namespace IommuFd.Kernel.Tests;

/// <summary>Parsing of the TRX files the guest writes (no kernel needed).</summary>
[TestFixture]
public sealed class TrxResultsTests
{
    private const string Trx = """
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun id="1" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
          <Results>
            <UnitTestResult testId="a" testName="Passes" outcome="Passed"><Output><StdOut>hello</StdOut></Output></UnitTestResult>
            <UnitTestResult testId="b" testName="Fails(Amd)" outcome="Failed"><Output><ErrorInfo><Message>boom</Message><StackTrace>at X</StackTrace></ErrorInfo></Output></UnitTestResult>
            <UnitTestResult testId="c" testName="Skips" outcome="NotExecuted"><Output><ErrorInfo><Message>why</Message></ErrorInfo></Output></UnitTestResult>
          </Results>
          <TestDefinitions>
            <UnitTest name="Passes" id="a"><TestMethod className="N.C" name="Passes" /></UnitTest>
            <UnitTest name="Fails(Amd)" id="b"><TestMethod className="N.C" name="Fails" /></UnitTest>
            <UnitTest name="Skips" id="c"><TestMethod className="N.D" name="Skips" /></UnitTest>
          </TestDefinitions>
        </TestRun>
        """;

    [Test]
    public void Results_are_keyed_by_class_and_test_name_with_arguments()
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"t-{Guid.NewGuid():N}.trx");
        File.WriteAllText(path, Trx);

        var results = TrxResults.Read(path);

        Assert.That(results.Keys, Is.EquivalentTo(new[] { "N.C.Passes", "N.C.Fails(Amd)", "N.D.Skips" }));
        Assert.That(results["N.C.Passes"].Output, Is.EqualTo("hello"));
        Assert.That(results["N.C.Fails(Amd)"], Is.EqualTo(new TrxTestResult("N.C.Fails(Amd)", "Failed", "boom", "at X", "")));
        Assert.That(results["N.D.Skips"].Outcome, Is.EqualTo("NotExecuted"));
    }

    [Test]
    public void A_file_that_is_not_trx_is_a_clear_error()
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"t-{Guid.NewGuid():N}.trx");
        File.WriteAllText(path, "<html/>");
        Assert.That(() => TrxResults.Read(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("not a TRX file"));
        File.WriteAllText(path, "not xml");
        Assert.That(() => TrxResults.Read(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("not valid XML"));
    }

    [Test]
    public void The_nunit_full_name_matches_the_trx_key_of_the_same_test()
    {
        // The host finds the guest's result by NUnit's FullName; TRX keys are className + "." + testName.
        Assert.That(TestContext.CurrentContext.Test.FullName,
            Is.EqualTo("IommuFd.Kernel.Tests.TrxResultsTests.The_nunit_full_name_matches_the_trx_key_of_the_same_test"));
    }
}

using IommuFd.UapiGenerator.Testing;

namespace IommuFd.UapiGenerator.ProofTests.Fuzz;

/// <summary>The mutator is reproducible and actually changes its input.</summary>
public sealed class HeaderMutatorTests
{
    [Test]
    public void Tokens_concatenate_back_to_the_header()
    {
        string text = UapiHeaders.Vfio.ReadText();
        Assert.That(string.Concat(HeaderMutator.Tokenize(text)), Is.EqualTo(text));
    }

    [Test]
    public void Same_seed_same_mutations()
    {
        string text = UapiHeaders.Iommufd.ReadText();
        var first = new HeaderMutator(text, 42);
        var second = new HeaderMutator(text, 42);
        for (int i = 0; i < 50; i++)
            Assert.That(second.Next(), Is.EqualTo(first.Next()), $"case {i}: {first.LastDescription}");
    }

    [Test]
    public void Mutations_change_the_header()
    {
        string text = UapiHeaders.IommufdTest.ReadText();
        var mutator = new HeaderMutator(text, 7);
        int changed = Enumerable.Range(0, 200).Count(_ => mutator.Next() != text);
        Assert.That(changed, Is.GreaterThan(190));
    }
}

using System.Security.Cryptography;
using System.Text;
using IommuFd.Conformance.Random;
using IommuFd.Engine;

namespace IommuFd.Conformance.Tests.Library;

/// <summary>A seed names its sequences: the CI seed's results, a nightly's reported seed and the runner's
/// <c>random.seed_N</c> cases must mean the same traces from one version of the project to the next.
/// Pinned here as a hash of the first 50 traces of a few seeds; a change to the families that alters them
/// has to update the hashes on purpose (and say so: recorded seeds then name other sequences). Saved
/// regression traces are files and replay as they are, whatever the generator does.</summary>
public sealed class GeneratorSeedTests
{
    /// <summary>With mock devices on 6.12: the hashes of the device generator before the generators were
    /// unified (commit 488c5bc), which the unified table reproduces draw for draw.</summary>
    [TestCase(RandomBudget.CiSeed, "2fac6127df709f1dee2f9bd35774eaff36db8519255844c03dbcb964b10dbc55")]
    [TestCase(1, "ac514de01e321572d28f72de74a26c3868fc6cdaf067538c0cd7dbbeb2bdd48e")]
    [TestCase(42, "ad89564a596603cad76326ff5c99c5f5a9f3d0603c252546a3ed288f7e54de63")]
    public void WithDevicesSeedsKeepTheirSequences(int seed, string sha256) =>
        Assert.That(Hash(new SequenceGenerator(seed, KernelRelease.Lts, SequenceScope.MockDevices), 40), Is.EqualTo(sha256));

    /// <summary>Without devices: the device-free subset of the table, pinned from its first version.</summary>
    [TestCase(RandomBudget.CiSeed, "42990b91a6e711da6bed3a4a9a78319ba2a58d94231a0bbcceb3018f0a3954c1")]
    [TestCase(1, "eb94fa84a66bb45b4650eed5a3a705a99ee0a40dd8c119bee2e30fafeddebecc")]
    public void WithoutDevicesSeedsKeepTheirSequences(int seed, string sha256) =>
        Assert.That(Hash(new SequenceGenerator(seed, KernelRelease.Lts, SequenceScope.NoDevices), 30), Is.EqualTo(sha256));

    /// <summary>On 7.3 (the MapFile and ChangeProcess families join), pinned when they were added.</summary>
    [TestCase(RandomBudget.CiSeed, SequenceScope.MockDevices, 40, "be7e2e6d77ccd5fdb3ee5949e1eadaf428deda055ae5a59c6394ff9c5a44c771")]
    [TestCase(RandomBudget.CiSeed, SequenceScope.NoDevices, 30, "b4d61c0bac8ad2fda33d1918b6ddd053a54b48ffb67a0729e4a6af9b59a3e159")]
    public void On73SeedsKeepTheirSequences(int seed, SequenceScope scope, int steps, string sha256) =>
        Assert.That(Hash(new SequenceGenerator(seed, KernelRelease.Stable, scope), steps), Is.EqualTo(sha256));

    private static string Hash(SequenceGenerator generator, int steps)
    {
        var text = new StringBuilder();
        for (int i = 0; i < 50; i++)
            text.Append(generator.Next(steps).ToJsonLines());
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

using System.Buffers.Binary;

namespace IommuFd.Bindings.Tests.Layer;

[TestFixture]
public class CapabilityChainTests
{
    private static void Header(byte[] buffer, int at, ushort id, ushort version, uint next)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(at), id);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(at + 2), version);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at + 4), next);
    }

    [Test]
    public void Follows_next_until_zero()
    {
        byte[] info = new byte[64];
        Header(info, 24, 3, 1, 40);
        Header(info, 40, 1, 2, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(48), 7);

        IReadOnlyList<VfioCapability> caps = VfioCapabilityChain.Parse(info, 24);

        Assert.That(caps.Select(c => (c.Id, c.Version, c.Offset)), Is.EqualTo(new[] { ((ushort)3, (ushort)1, 24u), ((ushort)1, (ushort)2, 40u) }));
        Assert.That(caps[1].Read<uint>(8), Is.EqualTo(7));
    }

    [Test]
    public void Offset_zero_means_no_capabilities()
    {
        Assert.That(VfioCapabilityChain.Parse(new byte[24], 0), Is.Empty);
    }

    [Test]
    public void A_chain_pointing_backwards_is_refused_instead_of_looping()
    {
        byte[] info = new byte[64];
        Header(info, 24, 1, 1, 24);
        Assert.That(() => VfioCapabilityChain.Parse(info, 24), Throws.TypeOf<InvalidDataException>().With.Message.Contains("backwards"));
    }

    [Test]
    public void A_header_outside_the_buffer_is_refused()
    {
        Assert.That(() => VfioCapabilityChain.Parse(new byte[30], 24), Throws.TypeOf<InvalidDataException>().With.Message.Contains("outside"));
    }

    [Test]
    public void Reading_past_a_truncated_capability_is_refused()
    {
        byte[] info = new byte[32];
        Header(info, 24, 1, 1, 0);
        VfioCapability cap = VfioCapabilityChain.Parse(info, 24)[0];
        Assert.That(() => cap.Read<ulong>(8), Throws.TypeOf<InvalidDataException>().With.Message.Contains("truncated"));
    }
}

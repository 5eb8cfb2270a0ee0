using IommuFd.Bindings.Backends;
using IommuFd.Engine.Memory;

namespace IommuFd.Engine.Tests;

/// <summary>The /proc/self/mem fallback for kernels without process_vm_readv/writev: it moves what
/// the mappings allow and stops where copy_{from,to}_user would fault.</summary>
public class ProcSelfMemTests
{
    [Test]
    public void ReadsAndWritesMappedMemoryAndStopsAtAHole()
    {
        using UserMemory memory = UserMemory.Map(4096);
        memory.Span[..4].Fill(0x5a);
        var buffer = new byte[4];
        Assert.That(ProcSelfMem.Transfer(buffer, memory.Address, write: false), Is.EqualTo(4));
        Assert.That(buffer, Is.All.EqualTo(0x5a));
        byte[] data = [1, 2, 3, 4];
        Assert.That(ProcSelfMem.Transfer(data, memory.Address + 8, write: true), Is.EqualTo(4));
        Assert.That(memory.Span.Slice(8, 4).ToArray(), Is.EqualTo(data));
        Assert.That(ProcSelfMem.Transfer(buffer, 0x1000, write: false), Is.EqualTo(-1));
        Assert.That(ProcSelfMem.Transfer(buffer, 0xFFFF_8000_0000_0000, write: false), Is.EqualTo(-1));
    }
}

using System.Text;
using IommuFd.Uapi;
using IommuFd.UapiGenerator.ProofTests.Gcc;

namespace IommuFd.UapiGenerator.ProofTests.Ioc;

/// <summary>Random _IO/_IOR/_IOW/_IOWR requests computed by <see cref="IommuFd.Uapi.Ioc"/>,
/// asserted equal to the kernel's own macros by gcc for the generic and the powerpc encodings.</summary>
public sealed class IocVersusGccTests
{
    private const int Cases = 500;
    private const int Seed = 20261121;

    private static IEnumerable<TestCaseData> Toolchains()
    {
        yield return new TestCaseData(GccToolchain.X86_64, true).SetArgDisplayNames("x86_64");
        yield return new TestCaseData(GccToolchain.Aarch64, true).SetArgDisplayNames("aarch64");
        yield return new TestCaseData(GccToolchain.Ppc64le, false).SetArgDisplayNames("ppc64le");
    }

    [TestCaseSource(nameof(Toolchains))]
    public void Random_requests_equal_the_kernel_macros(GccToolchain gcc, bool mandatory)
    {
        gcc.RequireInstalled(mandatory);
        var random = new Random(Seed);
        int sizeLimit = 1 << IommuFd.Uapi.Ioc.SizeBits(gcc.Encoding);
        var c = new StringBuilder("#include <linux/ioctl.h>\n");
        for (int i = 0; i < Cases; i++)
        {
            uint type = (uint)random.Next(256), nr = (uint)random.Next(256), size = (uint)random.Next(1, sizeLimit);
            (string macro, uint value) = (i % 4) switch
            {
                0 => ($"_IO({type}, {nr})", IommuFd.Uapi.Ioc.IO(gcc.Encoding, type, nr)),
                1 => ($"_IOR({type}, {nr}, char[{size}])", IommuFd.Uapi.Ioc.IOR(gcc.Encoding, type, nr, size)),
                2 => ($"_IOW({type}, {nr}, char[{size}])", IommuFd.Uapi.Ioc.IOW(gcc.Encoding, type, nr, size)),
                _ => ($"_IOWR({type}, {nr}, char[{size}])", IommuFd.Uapi.Ioc.IOWR(gcc.Encoding, type, nr, size)),
            };
            c.Append($"_Static_assert({macro} == 0x{value:X}u, \"case {i}: {macro} == 0x{value:X}\");\n");
        }
        // The extremes of every field.
        uint maxSize = (uint)sizeLimit - 1;
        c.Append($"_Static_assert(_IOWR(255, 255, char[{maxSize}]) == 0x{IommuFd.Uapi.Ioc.IOWR(gcc.Encoding, 255, 255, maxSize):X}u, \"extremes\");\n");

        GccResult result = gcc.CompileObject(c.ToString(), []);

        TestContext.Progress.WriteLine($"ioc vs {gcc.Executable}: {Cases + 1} requests, encoding {gcc.Encoding}, exit {result.ExitCode}");
        Assert.That(result.ExitCode, Is.Zero, string.Join('\n', result.Errors.Take(20)));
    }

    [Test]
    public void A_wrong_value_is_caught_by_gcc()
    {
        // The harness itself must be able to fail: one deliberately wrong assertion.
        GccToolchain.X86_64.RequireInstalled(mandatory: true);
        uint wrong = IommuFd.Uapi.Ioc.IO(IocEncoding.Generic, ';', 0x80) + 1;
        GccResult result = GccToolchain.X86_64.CompileObject(
            $"#include <linux/ioctl.h>\n_Static_assert(_IO(';', 0x80) == 0x{wrong:X}u, \"wrong\");\n", []);
        Assert.That(result.Errors, Has.Some.Contains("wrong"));
    }
}

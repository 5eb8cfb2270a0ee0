using System.Reflection;
using System.Runtime.CompilerServices;
using IommuFd.UapiGenerator.Testing;
using IommuFd.UapiGenerator.Tests.Infrastructure;

namespace IommuFd.UapiGenerator.Tests;

/// <summary>Runs the generated code: sizes as the CLR sees them, wrappers, bitfields, arrays.</summary>
public class GeneratedCodeRuntimeTests
{
    private const string Probe = """
        using System;
        using System.Runtime.InteropServices;
        using IommuFd.Uapi;
        using Test.Interop;

        public sealed unsafe class FakeTarget : IIoctlTarget
        {
            public uint Request;
            public nint Argument;
            public uint SizeSeen;

            public int Ioctl(int fd, uint request, void* argument)
            {
                Request = request;
                Argument = (nint)argument;
                if (request == Demo.DEMO_CMD) SizeSeen = ((demo_cmd*)argument)->size;
                if (request == Demo.DEMO_UNION) SizeSeen = ((demo_union_holder*)argument)->argsz;
                return fd < 0 ? -9 : 5;
            }
        }

        public static unsafe class Probe
        {
            public static string Run()
            {
                var t = new FakeTarget();
                var results = new System.Collections.Generic.List<string>();
                var cmd = new demo_cmd();
                results.Add($"cmd {DemoIoctls.DEMO_CMD(t, 3, ref cmd)} {t.Request:X} {t.SizeSeen} {cmd.size}");
                results.Add($"badfd {DemoIoctls.DEMO_CMD(t, -1, ref cmd)}");
                var buffer = new byte[demo_cmd.SizeOf(4)];
                demo_cmd.data(buffer, 4)[3] = 0xAB;
                results.Add($"buffer {DemoIoctls.DEMO_CMD(t, 3, buffer)} {t.SizeSeen} {buffer.Length} {buffer[51]:X} {demo_cmd.FromBuffer(buffer).size}");
                var holder = new demo_union_holder { as_s64 = -1 };
                results.Add($"union {DemoIoctls.DEMO_UNION(t, 3, ref holder)} {t.SizeSeen} {holder.as_u32:X}");
                results.Add($"value {DemoIoctls.DEMO_VALUE(t, 3, 42u)} {t.Argument}");
                results.Add($"none {DemoIoctls.DEMO_NONE(t, 3)} {t.Argument}");
                var bits = new demo_bits { mode = 5, delta = -3, tail = 3 };
                bits.enable = 1;
                byte* raw = (byte*)&bits;
                results.Add($"bits {bits.enable} {bits.mode} {bits.delta} {bits.tail} {raw[0]:X2}{raw[4]:X2}");
                cmd.grid[1][2] = 9;
                cmd.name[4] = 65;
                byte* c = (byte*)&cmd;
                results.Add($"arrays {c[24 + 5]} {c[8 + 4]}");
                try { DemoIoctls.DEMO_CMD(t, 3, new byte[10]); results.Add("short ok"); }
                catch (ArgumentException) { results.Add("short throws"); }
                results.Add($"table {Demo.Ioctls.Length} {Demo.Ioctls[0].Name} {Demo.Ioctls[0].ArgumentType?.Name} {Demo.Ioctls[0].SizeField}");
                return string.Join("|", results);
            }
        }
        """;

    [Test]
    public void WrappersBitfieldsAndArraysBehave()
    {
        var input = HeaderInput.Inline(File.ReadAllText(Path.Combine(RepoPaths.DataDirectory, "golden", "constructs.h")), "/golden/constructs.h", "Demo");
        var (_, output) = GeneratorHarness.Generate(new UapiGenerator(), [input], null, Probe);
        var assembly = InMemoryAssembly.Load(output);
        var text = (string)assembly.GetType("Probe")!.GetMethod("Run")!.Invoke(null, null)!;
        Assert.That(text.Split('|'), Is.EqualTo(new[]
        {
            "cmd 5 3B64 48 48",
            "badfd -9",
            "buffer 5 52 52 AB 52",
            "union 5 40 FFFFFFFF",
            "value 5 42",
            "none 5 0",
            "bits 1 5 -3 3 DB03",
            "arrays 9 65",
            "short throws",
            "table 5 DEMO_CMD demo_cmd size",
        }));
    }

    [TestCase("x86_64")]
    [TestCase("aarch64")]
    [TestCase("ppc64le")]
    [TestCase("mips64")]
    [TestCase("sparc64")]
    [TestCase("riscv64")]
    public void RealHeadersCompileWarningFreeAndClrSizesMatchCLayout(string profile)
    {
        var inputs = UapiHeaders.Bindings.Select(h => h.Input());
        var (result, output) = GeneratorHarness.Generate(new UapiGenerator(), inputs, profile);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.GeneratedSources, Has.Length.EqualTo(3));
        Assert.That(GeneratorHarness.CompileErrors(output), Is.Empty);

        var assembly = InMemoryAssembly.Load(output);
        var sizeOf = typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!;
        int checkedTypes = 0;
        foreach (var type in assembly.GetTypes())
        {
            var layout = type.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType.Name == "CLayoutAttribute");
            if (layout == null) continue;
            int expected = (int)layout.ConstructorArguments[0].Value!;
            Assert.That((int)sizeOf.MakeGenericMethod(type).Invoke(null, null)!, Is.EqualTo(expected), type.FullName);
            checkedTypes++;
        }
        Assert.That(checkedTypes, Is.GreaterThanOrEqualTo(74));
    }
}

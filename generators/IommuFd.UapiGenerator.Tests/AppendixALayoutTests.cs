using System.Text.RegularExpressions;
using IommuFd.UapiGenerator.Model;
using IommuFd.UapiGenerator.Tests.Infrastructure;

namespace IommuFd.UapiGenerator.Tests;

/// <summary>Every struct of the real 6.12 headers has gcc's size, alignment and member offsets
/// (Data/appendix-a-x86_64.txt, gcc's answers recorded in the spec).</summary>
public class AppendixALayoutTests
{
    private sealed record Expected(string Name, int Size, int Align, List<(string Field, int Offset, int? Size, int? FlexElement)> Fields);

    private static List<Expected> Load()
    {
        var result = new List<Expected>();
        foreach (var line in File.ReadAllLines(Path.Combine(RepoPaths.DataDirectory, "appendix-a-x86_64.txt")))
        {
            if (line.StartsWith('#') || line.Trim().Length == 0) continue;
            var s = Regex.Match(line, @"^(struct \w+): sizeof=(\d+) alignof=(\d+)$");
            if (s.Success)
            {
                result.Add(new Expected(s.Groups[1].Value, int.Parse(s.Groups[2].Value), int.Parse(s.Groups[3].Value), []));
                continue;
            }
            var f = Regex.Match(line, @"^\s+(\S+)\s+off=\s*(\d+) size=\s*(?:(\d+)|FLEX\(elem (\d+)\))$");
            Assert.That(f.Success, Is.True, "unreadable line: " + line);
            result[^1].Fields.Add((f.Groups[1].Value, int.Parse(f.Groups[2].Value),
                f.Groups[3].Success ? int.Parse(f.Groups[3].Value) : null, f.Groups[4].Success ? int.Parse(f.Groups[4].Value) : null));
        }
        return result;
    }

    [Test]
    public void EveryAppendixAStructMatchesGcc()
    {
        var (iommufd, vfio, test) = ModelRunner.RealHeaders();
        var structs = iommufd.Structs.Concat(vfio.Structs).Concat(test.Structs).ToDictionary(s => s.CName);
        var expected = Load();
        Assert.That(expected, Has.Count.EqualTo(74));
        var failures = new List<string>();
        foreach (var e in expected)
        {
            if (!structs.TryGetValue(e.Name, out var model)) { failures.Add($"{e.Name}: not generated"); continue; }
            if (model.Size != e.Size || model.Align != e.Align)
                failures.Add($"{e.Name}: size/align {model.Size}/{model.Align}, gcc {e.Size}/{e.Align}");
            foreach (var (field, offset, size, flexElement) in e.Fields)
            {
                if (flexElement.HasValue)
                {
                    var flex = model.Flexible.FirstOrDefault(f => f.CName + "[]" == field);
                    if (flex == null || flex.CName + "[]" != field || flex.Offset != offset || flex.ElementSize != flexElement)
                        failures.Add($"{e.Name}.{field}: flexible array is {flex?.CName}@{flex?.Offset} elem {flex?.ElementSize}, gcc @{offset} elem {flexElement}");
                    continue;
                }
                var found = Find(model, field);
                if (found == null) failures.Add($"{e.Name}.{field}: no such field");
                else if (found.Value.Offset != offset || found.Value.Size != size)
                    failures.Add($"{e.Name}.{field}: off {found.Value.Offset} size {found.Value.Size}, gcc off {offset} size {size}");
            }
        }
        Assert.That(failures, Is.Empty);
    }

    /// <summary>A field by C path (<c>mock_domain.out_hwpt_id</c>) with its offset from the struct start.</summary>
    private static (int Offset, int Size)? Find(StructModel model, string path)
    {
        var parts = path.Split('.');
        var field = model.Fields.FirstOrDefault(f => f.CName == parts[0]);
        if (field == null) return null;
        if (parts.Length == 1) return (field.Offset, field.Size);
        var nested = model.NestedTypes.FirstOrDefault(n => n.CsName == field.CsType);
        if (nested == null) return null;
        var inner = Find(nested, string.Join('.', parts.Skip(1)));
        return inner == null ? null : (field.Offset + inner.Value.Offset, inner.Value.Size);
    }

    [Test]
    public void Aarch64ProfileLaysOutTheSame()
    {
        var x86 = ModelRunner.RealHeaders("x86_64");
        var arm = ModelRunner.RealHeaders("aarch64");
        Assert.That(arm.Iommufd.Structs, Is.EqualTo(x86.Iommufd.Structs));
        Assert.That(arm.Vfio.Structs, Is.EqualTo(x86.Vfio.Structs));
        Assert.That(arm.Test.Structs, Is.EqualTo(x86.Test.Structs));
    }
}

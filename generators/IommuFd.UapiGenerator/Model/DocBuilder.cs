using IommuFd.UapiGenerator.CFront;

namespace IommuFd.UapiGenerator.Model;

/// <summary>Turns raw comments into <see cref="DocModel"/>s.</summary>
internal static class DocBuilder
{
    public static DocModel? FromComment(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        var doc = KernelDoc.Parse(raw!);
        string summary = doc.Summary;
        // iommufd titles its argument structs "struct x - ioctl(NAME)".
        var ioctl = System.Text.RegularExpressions.Regex.Match(summary, @"^ioctl\((\w+)\)$");
        if (ioctl.Success) summary = "Argument of ioctl " + ioctl.Groups[1].Value + ".";
        if (summary.Length == 0 && doc.Name == null) summary = KernelDoc.Flatten(raw!);
        if (summary.Length == 0 && doc.Body.Length == 0) return null;
        return new DocModel(summary, doc.Body);
    }

    public static DocModel? FromText(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : new DocModel(text!.Trim(), "");
}

using System.Collections.Generic;
using IommuFd.UapiGenerator.CFront;

namespace IommuFd.UapiGenerator.Model;

/// <summary>Turns the main header's object-like macros into constants (integer or string) and
/// ioctl numbers with their argument types.</summary>
internal static class MacroCollector
{
    public static List<IoctlModel> Collect(Preprocessor pp, DeclParser parser, UnitEvaluator evaluator, NameFilter filter,
        CommentIndex comments, IoctlModelBuilder ioctlBuilder, ConstantSet constants, DiagnosticBag diagnostics)
    {
        var ioctls = new List<IoctlModel>();
        var latest = new Dictionary<string, Macro>();
        foreach (var m in pp.Definitions) if (m.File == 0) latest[m.Name] = m;
        foreach (var macro in pp.Definitions)
        {
            if (macro.File != 0 || macro.IsFunctionLike || latest[macro.Name] != macro || !pp.Macros.ContainsKey(macro.Name)) continue;
            if (!filter.Selects(macro.Name)) continue;
            // `#define X X` after enumerator X (so userspace can #ifdef it): the enumerator is emitted.
            if (macro.Body.Count == 1 && macro.Body[0].Text == macro.Name && parser.EnumConstants.ContainsKey(macro.Name)) continue;
            var ioctlKind = IoctlModelBuilder.IoctlKind(macro.Body);
            var result = evaluator.Evaluate(macro.Body);
            if (result.Status == EvalStatus.Malformed)
            {
                diagnostics.Report(DiagnosticDescriptors.MalformedMacro, macro.NameToken, macro.Name, result.Message ?? "");
                continue;
            }
            if (result.Status != EvalStatus.Ok)
            {
                var text = ConstantFormat.StringConstant(macro.Body);
                if (text != null) constants.TryAdd(new ConstantModel(macro.Name, "string", text, Doc(comments, macro)));
                continue;
            }
            if (!constants.Claim(macro.Name)) { diagnostics.Report(DiagnosticDescriptors.DuplicateName, macro.NameToken, macro.Name); continue; }
            if (ioctlKind != null)
            {
                ioctls.Add(ioctlBuilder.Build(macro, ioctlKind, (uint)result.Value.Bits));
                continue;
            }
            var (type, literal) = ConstantFormat.Literal(result.Value);
            constants.Items.Add(new ConstantModel(macro.Name, type, literal, Doc(comments, macro)));
        }
        return ioctls;
    }

    private static DocModel? Doc(CommentIndex comments, Macro macro)
    {
        if (macro.NameToken == null) return null;
        int lastLine = macro.Body.Count > 0 ? macro.Body[macro.Body.Count - 1].Line : macro.NameToken.Line;
        var trailing = comments.TrailingOn(macro.File, lastLine);
        return trailing != null ? DocBuilder.FromComment(trailing.Text) : null;
    }
}

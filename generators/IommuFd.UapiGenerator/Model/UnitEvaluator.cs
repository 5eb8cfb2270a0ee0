using System.Collections.Generic;
using System.Linq;
using IommuFd.UapiGenerator.CFront;
using IommuFd.UapiGenerator.Layout;

namespace IommuFd.UapiGenerator.Model;

/// <summary>Evaluates constant expressions of one translation unit: its macros, and once the
/// parser has run, its enumerators and the <c>sizeof</c> of its types.</summary>
internal sealed class UnitEvaluator
{
    private readonly IReadOnlyDictionary<string, Macro> _macros;
    private readonly TargetProfile _profile;
    private readonly LayoutEngine _layout;

    public UnitEvaluator(IReadOnlyDictionary<string, Macro> macros, TargetProfile profile, LayoutEngine layout)
    {
        _macros = macros;
        _profile = profile;
        _layout = layout;
    }

    /// <summary>Set once the parser exists; before that only macros and literals evaluate.</summary>
    public DeclParser? Parser { get; set; }

    public EvalResult Evaluate(IReadOnlyList<Token> tokens) =>
        new ConstEvaluator(_macros, _profile, LookupIdentifier, SizeOfType, directive: false).Evaluate(tokens);

    private CValue? LookupIdentifier(string name) =>
        Parser != null && Parser.EnumConstants.TryGetValue(name, out var member) ? member.Value : null;

    /// <summary><c>sizeof</c> of a type written as tokens, or null when unknown.</summary>
    private int? SizeOfType(IReadOnlyList<Token> tokens)
    {
        var words = tokens.Where(t => t.Text is not ("const" or "volatile" or "__user")).Select(t => t.Text).ToList();
        if (words.Count == 0 || Parser == null) return null;
        if (words[words.Count - 1] == "*") return LayoutEngine.PointerSize;
        try
        {
            if (words.Count == 2 && words[0] is "struct" or "union")
            {
                if (!Parser.Records.TryGetValue(words[0] + " " + words[1], out var r)) return null;
                // GNU C's empty struct has size 0 (arm64's kvm_sregs in KVM_GET_SREGS); C# cannot lay it out.
                return r.IsComplete && r.Members.Count == 0 ? 0 : _layout.SizeAlign(new RecordCType(r), tokens[0]).Size;
            }
            if (words.Count == 2 && words[0] == "enum")
                return Parser.Enums.TryGetValue(words[1], out var e) ? LayoutEngine.EnumSize(e).Size : null;
            if (words.Count == 1)
            {
                var scalar = BuiltinTypes.Lookup(words[0], _profile);
                if (scalar != null) return scalar.Size;
                if (Parser.Typedefs.TryGetValue(words[0], out var typedef)) return _layout.SizeAlign(typedef, tokens[0]).Size;
            }
            return BuiltinTypes.FromKeywords(words, _profile.CharIsSigned)?.Size;
        }
        catch (LayoutEngine.LayoutException)
        {
            return null;
        }
    }
}

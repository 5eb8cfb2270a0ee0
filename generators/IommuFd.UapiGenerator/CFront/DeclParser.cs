using System;
using System.Collections.Generic;

namespace IommuFd.UapiGenerator.CFront;

/// <summary>Parses the file-scope declarations of a preprocessed header: structs and unions
/// (named, anonymous, nested), enums, typedefs, bitfields, arrays (multi-dimensional, flexible),
/// pointers and GNU attributes (<c>packed</c>, <c>aligned(N)</c>). Anything else is reported and
/// skipped up to the end of its declaration.</summary>
internal sealed class DeclParser
{
    private readonly List<Token> _tokens;
    private readonly int[] _previousEnd;
    private readonly TargetProfile _profile;
    private readonly DiagnosticBag _diagnostics;
    private readonly CommentIndex _comments;
    private readonly Func<IReadOnlyList<Token>, EvalResult> _evaluate;
    private int _pos;

    public DeclParser(List<Token> tokens, TargetProfile profile, DiagnosticBag diagnostics, CommentIndex comments,
        Func<IReadOnlyList<Token>, EvalResult> evaluate)
    {
        _tokens = tokens;
        if (_tokens.Count == 0 || _tokens[_tokens.Count - 1].Kind != TokenKind.End)
            _tokens.Add(new Token(TokenKind.End, "", -1, 0, 0, 0, true));
        _profile = profile;
        _diagnostics = diagnostics;
        _comments = comments;
        _evaluate = evaluate;
        _previousEnd = new int[_tokens.Count];
        var lastEnd = new Dictionary<int, int>();
        for (int i = 0; i < _tokens.Count; i++)
        {
            _previousEnd[i] = lastEnd.TryGetValue(_tokens[i].File, out var e) ? e : 0;
            lastEnd[_tokens[i].File] = _tokens[i].EndOffset;
        }
    }

    /// <summary>Complete tagged records and enums, in the order their definitions end.</summary>
    public List<TopLevel> Declarations { get; } = new();
    public Dictionary<string, RecordDecl> Records { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, EnumDecl> Enums { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, CType> Typedefs { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, EnumMember> EnumConstants { get; } = new(StringComparer.Ordinal);

    private Token Current => _tokens[_pos];

    private Token Peek(int ahead) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];

    private Token Next() => _tokens[_pos < _tokens.Count - 1 ? _pos++ : _pos];

    private Token Expect(string text, string what)
    {
        if (!Current.Is(text)) throw Error(Current, $"expected '{text}' {what} but found '{Describe(Current)}'");
        return Next();
    }

    private static string Describe(Token t) => t.Kind == TokenKind.End ? "end of file" : t.Text;

    private static ParseException Error(Token at, string message) => new(DiagnosticDescriptors.UnsupportedDeclaration, at, message);

    public void Parse()
    {
        while (Current.Kind != TokenKind.End)
        {
            if (Current.Is(";")) { Next(); continue; }
            int start = _pos;
            try
            {
                FileScopeDeclaration();
            }
            catch (ParseException e)
            {
                _diagnostics.Report(e.Descriptor, e.At, e.Arguments);
                Recover(start);
            }
        }
    }

    /// <summary>Skips from <paramref name="start"/> past the end of the declaration there.</summary>
    private void Recover(int start)
    {
        _pos = start;
        int depth = 0;
        bool functionBody = false;
        while (Current.Kind != TokenKind.End)
        {
            var t = Next();
            if (t.Is("{"))
            {
                // `) {` at file scope opens a function body, which ends the declaration.
                if (depth == 0 && _pos >= 2 && _tokens[_pos - 2].Is(")")) functionBody = true;
                depth++;
            }
            else if (t.Is("}"))
            {
                depth--;
                if (depth <= 0 && (functionBody || (!Current.Is(";") && Current.Kind != TokenKind.Identifier && !Current.Is("*")))) return;
            }
            else if (t.Is(";") && depth <= 0) return;
        }
    }

    private void FileScopeDeclaration()
    {
        var start = Current;
        bool isTypedef = false;
        var type = Specifiers(ref isTypedef, allowTypedef: true);
        if (Current.Is(";")) { Next(); return; }
        while (true)
        {
            var (name, declared, nameToken) = Declarator(type);
            if (!isTypedef)
                throw Error(nameToken, $"'{name}' is an object or function, not a type (only types, enums and macros are generated)");
            if (declared is RecordCType r && r.Record.Tag == null && r.Record.TypedefName == null)
            {
                r.Record.TypedefName = name;
                Declarations.Add(new TopLevel(r.Record, null, start.File));
            }
            Typedefs[name] = declared;
            if (Current.Is(",")) { Next(); continue; }
            Expect(";", "after the typedef");
            return;
        }
    }

    private static bool IsQualifier(string word) => word is "const" or "volatile" or "__user" or "restrict" or "__restrict"
        or "__restrict__" or "static" or "extern" or "inline" or "__inline__" or "__inline" or "__extension__"
        or "register" or "__force" or "__bitwise" or "__iomem" or "__rcu";

    private CType Specifiers(ref bool isTypedef, bool allowTypedef)
    {
        var words = new List<string>();
        CType? type = null;
        var start = Current;
        while (Current.Kind == TokenKind.Identifier)
        {
            var t = Current;
            if (t.Text == "typedef")
            {
                if (!allowTypedef) throw Error(t, "typedef inside a struct");
                isTypedef = true;
                Next();
            }
            else if (IsQualifier(t.Text)) Next();
            else if (t.Text is "__attribute__" or "__attribute" or "__packed") Attributes();
            else if (t.Text is "struct" or "union")
            {
                if (type != null || words.Count > 0) throw Error(t, "two types in one declaration");
                type = Record();
            }
            else if (t.Text == "enum")
            {
                if (type != null || words.Count > 0) throw Error(t, "two types in one declaration");
                type = Enum();
            }
            else if (BuiltinTypes.IsKeywordTypeWord(t.Text))
            {
                if (type != null) throw Error(t, "two types in one declaration");
                words.Add(t.Text);
                Next();
            }
            else if (t.Text == "void")
            {
                type = new PointerCType(null); // only meaningful behind '*'; see Declarator
                Next();
                _sawVoid = true;
            }
            else if (type == null && words.Count == 0)
            {
                var scalar = BuiltinTypes.Lookup(t.Text, _profile);
                if (scalar != null) type = new ScalarCType(scalar);
                else if (Typedefs.TryGetValue(t.Text, out var typedef)) type = typedef;
                else throw new ParseException(DiagnosticDescriptors.UnknownType, t, t.Text);
                Next();
            }
            else break;
        }
        if (words.Count > 0)
        {
            var scalar = BuiltinTypes.FromKeywords(words, _profile.CharIsSigned);
            if (scalar == null) throw Error(start, $"'{string.Join(" ", words)}' is not a C integer type");
            type = new ScalarCType(scalar);
        }
        if (type == null) throw Error(Current, $"expected a type but found '{Describe(Current)}'");
        return type;
    }

    private bool _sawVoid;

    /// <summary>Parses <c>__attribute__((...))</c> lists; returns (packed, aligned).</summary>
    private (bool Packed, int Aligned) Attributes()
    {
        bool packed = false;
        int aligned = 0;
        while (Current.Is("__attribute__") || Current.Is("__attribute") || Current.Is("__packed"))
        {
            // Source-tree uAPI headers say __packed; headers_install rewrites it to the attribute.
            if (Next().Is("__packed"))
            {
                packed = true;
                continue;
            }
            var at = _tokens[_pos - 1];
            Expect("(", "after __attribute__");
            Expect("(", "after __attribute__(");
            while (!Current.Is(")"))
            {
                if (Current.Kind == TokenKind.End) throw Error(at, "unterminated __attribute__");
                var name = Next();
                string n = name.Text.Trim('_');
                if (n == "packed") packed = true;
                if (Current.Is("("))
                {
                    var argTokens = Balanced();
                    if (n == "aligned")
                    {
                        var result = _evaluate(argTokens);
                        if (result.Status != EvalStatus.Ok || result.Value.IsNegative || result.Value.Bits == 0 || (result.Value.Bits & (result.Value.Bits - 1)) != 0 || result.Value.Bits > 1 << 20)
                            throw Error(name, "aligned(N) needs a power of two");
                        aligned = Math.Max(aligned, (int)result.Value.Bits);
                    }
                }
                else if (n == "aligned") aligned = Math.Max(aligned, 16); // the target's largest alignment
                if (Current.Is(",")) Next();
            }
            Expect(")", "closing __attribute__");
            Expect(")", "closing __attribute__");
        }
        return (packed, aligned);
    }

    /// <summary>Reads a parenthesised group starting at '(' and returns the tokens inside it.</summary>
    private List<Token> Balanced()
    {
        var open = Expect("(", "");
        var inner = new List<Token>();
        int depth = 0;
        while (true)
        {
            var t = Next();
            if (t.Kind == TokenKind.End) throw Error(open, "unbalanced parentheses");
            if (t.Is("(")) depth++;
            if (t.Is(")") && depth-- == 0) return inner;
            inner.Add(t);
        }
    }

    private CType Record()
    {
        var keyword = Next();
        bool isUnion = keyword.Text == "union";
        var (packed, aligned) = Attributes();
        string? tag = null;
        if (Current.Kind == TokenKind.Identifier && !Current.Is("__attribute__") && !Current.Is("__packed")) tag = Next().Text;
        var attrs = Attributes();
        packed |= attrs.Packed;
        aligned = Math.Max(aligned, attrs.Aligned);
        string key = (isUnion ? "union " : "struct ") + tag;
        if (!Current.Is("{"))
        {
            if (tag == null) throw Error(keyword, $"anonymous {keyword.Text} without a body");
            if (!Records.TryGetValue(key, out var existing))
            {
                existing = new RecordDecl(tag, isUnion, keyword);
                Records[key] = existing;
            }
            return new RecordCType(existing);
        }
        RecordDecl record;
        if (tag != null && Records.TryGetValue(key, out var known))
        {
            if (known.IsComplete) throw new ParseException(DiagnosticDescriptors.DuplicateName, keyword, key);
            record = known;
            record.At = keyword;
        }
        else
        {
            record = new RecordDecl(tag, isUnion, keyword);
            if (tag != null) Records[key] = record;
        }
        record.Doc = DocBefore(keyword, record.Keyword, tag);
        Next(); // {
        while (!Current.Is("}"))
        {
            if (Current.Kind == TokenKind.End) throw Error(keyword, $"{key.Trim()} has no closing brace");
            if (Current.Is(";")) { Next(); continue; }
            Member(record);
        }
        Next(); // }
        var after = Attributes();
        record.Packed = packed || after.Packed;
        record.AlignAttribute = Math.Max(aligned, after.Aligned);
        record.IsComplete = true;
        if (record.Members.Count == 0)
            throw new ParseException(DiagnosticDescriptors.NotExpressible, keyword, key.Trim(), "it has no members (size 0 in GNU C; a C# struct has at least 1 byte)");
        if (tag != null) Declarations.Add(new TopLevel(record, null, keyword.File));
        return new RecordCType(record);
    }

    private void Member(RecordDecl record)
    {
        int startIndex = _pos;
        var start = Current;
        bool isTypedef = false;
        var type = Specifiers(ref isTypedef, allowTypedef: false);
        if (Current.Is(";"))
        {
            var end = Next();
            if (type is RecordCType r && r.Record.Tag == null)
                record.Members.Add(new MemberDecl(null, type, start) { Doc = MemberDoc(startIndex, end) });
            return;
        }
        var members = new List<MemberDecl>();
        while (true)
        {
            MemberDecl member;
            if (Current.Is(":"))
            {
                member = new MemberDecl(null, type, Current);
            }
            else
            {
                var (name, declared, nameToken) = Declarator(type);
                member = new MemberDecl(name, declared, nameToken);
            }
            member.AlignAttribute = Attributes().Aligned;
            if (Current.Is(":"))
            {
                var colon = Next();
                var width = ConstantUntil(colon, ",", ";");
                if (width.IsNegative || width.Bits > 64) throw Error(colon, $"bitfield width {width} is out of range");
                member.BitWidth = (int)width.Bits;
            }
            member.AlignAttribute = Math.Max(member.AlignAttribute, Attributes().Aligned);
            members.Add(member);
            if (Current.Is(",")) { Next(); continue; }
            var semicolon = Expect(";", "after a member");
            string? doc = MemberDoc(startIndex, semicolon);
            foreach (var m in members)
            {
                m.Doc = doc;
                record.Members.Add(m);
            }
            return;
        }
    }

    private (string Name, CType Type, Token NameToken) Declarator(CType type)
    {
        bool wasVoid = _sawVoid;
        _sawVoid = false;
        int pointers = 0;
        while (Current.Is("*") || (Current.Kind == TokenKind.Identifier && (IsQualifier(Current.Text) || Current.Is("__attribute__") || Current.Is("__packed"))))
        {
            if (Current.Is("*")) pointers++;
            if (Current.Is("__attribute__") || Current.Is("__packed")) Attributes();
            else Next();
        }
        if (Current.Is("("))
        {
            // Function pointer: type (*name)(params).
            var open = Next();
            if (!Current.Is("*")) throw Error(open, "parenthesised declarators other than function pointers are not supported");
            Next();
            if (Current.Kind != TokenKind.Identifier) throw Error(Current, "expected a function pointer name");
            var fnName = Next();
            Expect(")", "after a function pointer name");
            Balanced();
            return (fnName.Text, new PointerCType(null), fnName);
        }
        if (Current.Kind != TokenKind.Identifier) throw Error(Current, $"expected a name but found '{Describe(Current)}'");
        var nameToken = Next();
        // uAPI headers carry static inline helpers: nothing to generate, and not a fault.
        if (Current.Is("(")) throw new ParseException(DiagnosticDescriptors.FunctionSkipped, nameToken, nameToken.Text);
        if (wasVoid && pointers == 0) throw Error(nameToken, $"'{nameToken.Text}' has type void");
        CType result = type;
        for (int i = 0; i < pointers; i++)
            result = wasVoid && i == 0 ? new PointerCType(null) : new PointerCType(result);
        var dims = new List<(int? Length, Token At, bool Zero)>();
        while (Current.Is("["))
        {
            var open = Next();
            if (Current.Is("]")) { Next(); dims.Add((null, open, false)); continue; }
            var length = ConstantUntil(open, "]");
            Expect("]", "closing an array size");
            if (length.IsNegative || length.Bits > int.MaxValue) throw Error(open, $"array length {length} is out of range");
            dims.Add((length.Bits == 0 ? null : (int?)(int)length.Bits, open, length.Bits == 0));
        }
        for (int i = dims.Count - 1; i >= 0; i--)
        {
            if (dims[i].Length == null && i != 0) throw Error(dims[i].At, "only the first dimension of an array can be flexible");
            result = new ArrayCType(result, dims[i].Length, dims[i].Zero);
        }
        return (nameToken.Text, result, nameToken);
    }

    /// <summary>Evaluates the tokens up to one of <paramref name="stops"/> (at depth 0) as a constant.</summary>
    private CValue ConstantUntil(Token at, params string[] stops)
    {
        var expr = new List<Token>();
        int depth = 0;
        while (true)
        {
            var t = Current;
            if (t.Kind == TokenKind.End) throw Error(at, "constant expression runs to the end of the file");
            if (depth == 0 && Array.IndexOf(stops, t.Text) >= 0 && t.Kind == TokenKind.Punct) break;
            if (t.Is("(") || t.Is("[")) depth++;
            if (t.Is(")") || t.Is("]")) depth--;
            if (t.Is(";") || t.Is("{") || t.Is("}")) throw Error(t, $"unexpected '{t.Text}' in a constant expression");
            expr.Add(Next());
        }
        if (expr.Count == 0) throw Error(at, "missing constant expression");
        var result = _evaluate(expr);
        if (result.Status != EvalStatus.Ok)
            throw new ParseException(DiagnosticDescriptors.MalformedMacro, result.At ?? at, Join(expr), result.Message ?? "not an integer constant");
        return result.Value;
    }

    private static string Join(List<Token> tokens)
    {
        var parts = new List<string>();
        foreach (var t in tokens) parts.Add(t.Text);
        return string.Join(" ", parts);
    }

    private CType Enum()
    {
        var keyword = Next();
        Attributes();
        string? tag = Current.Kind == TokenKind.Identifier ? Next().Text : null;
        Attributes();
        if (!Current.Is("{"))
        {
            if (tag == null) throw Error(keyword, "anonymous enum without a body");
            if (!Enums.TryGetValue(tag, out var forward))
            {
                forward = new EnumDecl(tag, keyword);
                Enums[tag] = forward;
            }
            return new EnumCType(forward);
        }
        if (tag != null && Enums.TryGetValue(tag, out var existing) && existing.IsComplete)
            throw new ParseException(DiagnosticDescriptors.DuplicateName, keyword, "enum " + tag);
        var decl = tag != null && Enums.TryGetValue(tag, out var fwd) ? fwd : new EnumDecl(tag, keyword);
        if (tag != null) Enums[tag] = decl;
        decl.Doc = DocBefore(keyword, "enum", tag);
        Next(); // {
        CValue next = CValue.Int(0);
        while (!Current.Is("}"))
        {
            int startIndex = _pos;
            if (Current.Kind != TokenKind.Identifier) throw Error(Current, $"expected an enumerator but found '{Describe(Current)}'");
            var name = Next();
            Attributes();
            CValue value = next;
            bool hasValue = Current.Is("=");
            if (hasValue)
            {
                var eq = Next();
                value = ConstantUntil(eq, ",", "}");
            }
            var member = new EnumMember(name.Text, value, name) { Explicit = hasValue };
            if (EnumConstants.ContainsKey(name.Text)) throw new ParseException(DiagnosticDescriptors.DuplicateName, name, name.Text);
            EnumConstants[name.Text] = member;
            decl.Members.Add(member);
            next = new CValue(value.Bits + 1, value.Type);
            var last = Current;
            if (Current.Is(",")) last = Next();
            else if (!Current.Is("}")) throw Error(Current, $"expected ',' or '}}' after enumerator '{name.Text}'");
            member.Doc = MemberDoc(startIndex, last);
        }
        Next(); // }
        Attributes();
        decl.IsComplete = true;
        Declarations.Add(new TopLevel(null, decl, keyword.File));
        return new EnumCType(decl);
    }

    /// <summary>The comment documenting a struct/union/enum that starts at <paramref name="keyword"/>:
    /// the last comment before it with no code in between, if it is kernel-doc about this
    /// declaration or sits on the line just above it.</summary>
    private string? DocBefore(Token keyword, string kind, string? tag)
    {
        int index = _tokens.IndexOf(keyword);
        // A typedef or qualifier may precede the keyword on the same declaration.
        while (index > 0 && _tokens[index - 1].File == keyword.File && _tokens[index - 1].Kind == TokenKind.Identifier
               && (_tokens[index - 1].Text == "typedef" || IsQualifier(_tokens[index - 1].Text)))
            index--;
        var first = _tokens[index];
        var comment = _comments.Preceding(keyword.File, _previousEnd[index], first.Offset);
        if (comment == null) return null;
        if (comment.EndLine >= first.Line - 1) return comment.Text;
        if (!comment.IsKernelDoc) return null;
        var doc = KernelDoc.Parse(comment.Text);
        if (tag != null && doc.Name == tag) return comment.Text;
        if (tag != null && KernelDoc.Flatten(comment.Text).Contains(kind + " " + tag + ")")) return comment.Text;
        return null;
    }

    /// <summary>A member's own comment: trailing on its last line, or just above it.</summary>
    private string? MemberDoc(int startIndex, Token end)
    {
        var trailing = _comments.TrailingOn(end.File, end.Line);
        if (trailing != null) return trailing.Text;
        var first = _tokens[startIndex];
        var before = _comments.Preceding(first.File, _previousEnd[startIndex], first.Offset);
        return before != null && before.EndLine >= first.Line - 1 ? before.Text : null;
    }
}

using System;
using System.Collections.Generic;
using IommuFd.Uapi;

namespace IommuFd.UapiGenerator.CFront;

/// <summary>Evaluates C integer constant expressions after macro expansion: the operators of C
/// with their usual arithmetic conversions, casts to integer types, char literals,
/// <c>sizeof(type)</c> and the <c>_IO/_IOR/_IOW/_IOWR/_IOC</c> macros (computed through
/// <see cref="Ioc"/> with the target's encoding).</summary>
internal sealed class ConstEvaluator
{
    private const int MaxExpansionDepth = 200;
    private static readonly Token EndToken = new(TokenKind.End, "", -1, 0, 0, 0, true);

    private readonly IReadOnlyDictionary<string, Macro> _macros;
    private readonly TargetProfile _profile;
    private readonly Func<string, CValue?>? _identifiers;
    private readonly Func<IReadOnlyList<Token>, int?>? _sizeOf;
    private readonly bool _directive;

    private List<Token> _tokens = new();
    private int _pos;
    private Token? _origin;

    /// <param name="directive">In <c>#if</c>: <c>defined</c> works and unknown names are 0.</param>
    public ConstEvaluator(IReadOnlyDictionary<string, Macro> macros, TargetProfile profile,
        Func<string, CValue?>? identifiers, Func<IReadOnlyList<Token>, int?>? sizeOf, bool directive)
    {
        _macros = macros;
        _profile = profile;
        _identifiers = identifiers;
        _sizeOf = sizeOf;
        _directive = directive;
    }

    public EvalResult Evaluate(IReadOnlyList<Token> tokens)
    {
        try
        {
            _origin = tokens.Count > 0 ? tokens[0] : null;
            _tokens = Expand(tokens, new HashSet<string>(), 0);
            _pos = 0;
            if (_tokens.Count == 0) return EvalResult.NotConstant("empty expression", _origin);
            var value = Conditional();
            if (Current.Kind != TokenKind.End)
                throw Malformed($"unexpected '{Current.Text}'", Current);
            return EvalResult.Ok(value);
        }
        catch (EvalException e)
        {
            return e.Status == EvalStatus.Malformed ? EvalResult.Malformed(e.Message, e.At ?? _origin) : EvalResult.NotConstant(e.Message, e.At ?? _origin);
        }
    }

    /// <summary>Fully macro-expands <paramref name="tokens"/> (C's rescan with a hide set).</summary>
    public List<Token> Expand(IReadOnlyList<Token> tokens, HashSet<string> hide, int depth)
    {
        if (depth > MaxExpansionDepth) throw Malformed("macro expansion nests too deeply", tokens.Count > 0 ? tokens[0] : null);
        var output = new List<Token>();
        for (int i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Kind != TokenKind.Identifier) { output.Add(t); continue; }
            if (_directive && t.Text == "defined")
            {
                i = ExpandDefined(tokens, i, output);
                continue;
            }
            if (hide.Contains(t.Text) || !_macros.TryGetValue(t.Text, out var macro)) { output.Add(t); continue; }
            var inner = new HashSet<string>(hide) { t.Text };
            if (!macro.IsFunctionLike)
            {
                output.AddRange(Expand(macro.Body, inner, depth + 1));
                continue;
            }
            if (i + 1 >= tokens.Count || !tokens[i + 1].Is("(")) { output.Add(t); continue; }
            var args = CollectArguments(tokens, i + 1, out int close);
            if (args.Count == 1 && args[0].Count == 0 && macro.Parameters!.Count == 0) args.Clear();
            if (macro.IsVariadic) JoinVariadic(args, macro.Parameters!.Count);
            if (args.Count != macro.Parameters!.Count)
                throw Malformed($"macro '{macro.Name}' takes {macro.Parameters.Count} argument(s), got {args.Count}", t);
            var substituted = new List<Token>();
            var body = macro.Body;
            for (int k = 0; k < body.Count; k++)
            {
                var b = body[k];
                if (b.Is("#")) throw NotConstant($"macro '{macro.Name}' stringizes an argument", t);
                if (b.Is("##"))
                {
                    if (substituted.Count == 0 || k + 1 >= body.Count) throw Malformed($"'##' at the edge of macro '{macro.Name}'", t);
                    var right = Operand(body[++k], macro, args);
                    if (right.Count == 0) continue;
                    var left = substituted[substituted.Count - 1];
                    substituted[substituted.Count - 1] = Paste(left, right[0]);
                    for (int r = 1; r < right.Count; r++) substituted.Add(right[r]);
                    continue;
                }
                int p = b.Kind == TokenKind.Identifier ? IndexOf(macro.Parameters, b.Text) : -1;
                // An operand of ## is pasted as written, not macro-expanded first.
                bool pasted = k + 1 < body.Count && body[k + 1].Is("##");
                if (p >= 0) substituted.AddRange(pasted ? args[p] : Expand(args[p], hide, depth + 1));
                else substituted.Add(b);
            }
            output.AddRange(Expand(substituted, inner, depth + 1));
            i = close;
        }
        return output;
    }

    private static IReadOnlyList<Token> Operand(Token token, Macro macro, List<List<Token>> args)
    {
        int p = token.Kind == TokenKind.Identifier ? IndexOf(macro.Parameters!, token.Text) : -1;
        return p >= 0 ? args[p] : new[] { token };
    }

    /// <summary>C's <c>##</c>: one token spelled as the two operands written together.</summary>
    private static Token Paste(Token left, Token right)
    {
        string text = left.Text + right.Text;
        var kind = char.IsDigit(text[0]) ? TokenKind.Number : char.IsLetter(text[0]) || text[0] == '_' ? TokenKind.Identifier : TokenKind.Punct;
        return new Token(kind, text, left.File, left.Offset, left.Line, left.Column, false);
    }

    /// <summary>Folds the arguments from the variadic parameter on into one (commas kept); an
    /// omitted variadic argument is empty.</summary>
    private static void JoinVariadic(List<List<Token>> args, int parameters)
    {
        if (args.Count == parameters - 1) args.Add(new List<Token>());
        while (args.Count > parameters && parameters > 0)
        {
            var last = args[args.Count - 1];
            args.RemoveAt(args.Count - 1);
            var into = args[args.Count - 1];
            var comma = last.Count > 0 ? last[0] : into.Count > 0 ? into[into.Count - 1] : null;
            if (comma != null) into.Add(new Token(TokenKind.Punct, ",", comma.File, comma.Offset, comma.Line, comma.Column, false));
            into.AddRange(last);
        }
    }

    private static int IndexOf(IReadOnlyList<string> list, string name)
    {
        for (int i = 0; i < list.Count; i++)
            if (list[i] == name) return i;
        return -1;
    }

    private int ExpandDefined(IReadOnlyList<Token> tokens, int i, List<Token> output)
    {
        var at = tokens[i];
        int j = i + 1;
        bool paren = j < tokens.Count && tokens[j].Is("(");
        if (paren) j++;
        if (j >= tokens.Count || tokens[j].Kind != TokenKind.Identifier) throw Malformed("'defined' needs a macro name", at);
        bool isDefined = _macros.ContainsKey(tokens[j].Text);
        if (paren)
        {
            j++;
            if (j >= tokens.Count || !tokens[j].Is(")")) throw Malformed("missing ')' after 'defined('", at);
        }
        output.Add(new Token(TokenKind.Number, isDefined ? "1" : "0", at.File, at.Offset, at.Line, at.Column, false));
        return j;
    }

    /// <summary>Splits the arguments of a call whose '(' is at <paramref name="open"/>.</summary>
    private static List<List<Token>> CollectArguments(IReadOnlyList<Token> tokens, int open, out int close)
    {
        var args = new List<List<Token>> { new() };
        int depth = 0;
        for (int k = open + 1; k < tokens.Count; k++)
        {
            var t = tokens[k];
            if (t.Is("(")) depth++;
            else if (t.Is(")"))
            {
                if (depth == 0) { close = k; return args; }
                depth--;
            }
            else if (t.Is(",") && depth == 0) { args.Add(new List<Token>()); continue; }
            args[args.Count - 1].Add(t);
        }
        throw Malformed("unbalanced parentheses in macro arguments", tokens[open]);
    }

    private Token Current => _pos < _tokens.Count ? _tokens[_pos] : EndToken;

    private Token Next() => _pos < _tokens.Count ? _tokens[_pos++] : EndToken;

    private void Expect(string text)
    {
        if (!Current.Is(text)) throw Malformed($"expected '{text}'", Current.Kind == TokenKind.End ? Last : Current);
        _pos++;
    }

    private Token? Last => _tokens.Count > 0 ? _tokens[_tokens.Count - 1] : _origin;

    private static EvalException Malformed(string message, Token? at) => new(EvalStatus.Malformed, message, at);

    private static EvalException NotConstant(string message, Token? at) => new(EvalStatus.NotConstant, message, at);

    private CValue Conditional()
    {
        var condition = Binary(0);
        if (!Current.Is("?")) return condition;
        _pos++;
        var whenTrue = Conditional();
        Expect(":");
        var whenFalse = Conditional();
        var type = CValue.Common(whenTrue.Type, whenFalse.Type);
        return (condition.IsZero ? whenFalse : whenTrue).ConvertTo(type);
    }

    private static int Precedence(Token t)
    {
        if (t.Kind != TokenKind.Punct) return -1;
        return t.Text switch
        {
            "||" => 1,
            "&&" => 2,
            "|" => 3,
            "^" => 4,
            "&" => 5,
            "==" or "!=" => 6,
            "<" or ">" or "<=" or ">=" => 7,
            "<<" or ">>" => 8,
            "+" or "-" => 9,
            "*" or "/" or "%" => 10,
            _ => -1,
        };
    }

    private CValue Binary(int minPrecedence)
    {
        var left = Unary();
        while (true)
        {
            var op = Current;
            int prec = Precedence(op);
            if (prec < 0 || prec < minPrecedence) return left;
            _pos++;
            var right = Binary(prec + 1);
            left = Apply(op, left, right);
        }
    }

    private static CValue Apply(Token op, CValue a, CValue b)
    {
        switch (op.Text)
        {
            case "&&": return CValue.Int(!a.IsZero && !b.IsZero ? 1 : 0);
            case "||": return CValue.Int(!a.IsZero || !b.IsZero ? 1 : 0);
            case "<<":
            case ">>":
                return Shift(op, a, b);
        }
        var type = CValue.Common(a.Type, b.Type);
        var x = a.ConvertTo(type);
        var y = b.ConvertTo(type);
        bool unsigned = x.IsUnsigned;
        switch (op.Text)
        {
            case "|": return new CValue(x.Bits | y.Bits, type);
            case "&": return new CValue(x.Bits & y.Bits, type);
            case "^": return new CValue(x.Bits ^ y.Bits, type);
            case "+": return new CValue(x.Bits + y.Bits, type);
            case "-": return new CValue(x.Bits - y.Bits, type);
            case "*": return new CValue(x.Bits * y.Bits, type);
            case "/":
            case "%":
                if (y.IsZero) throw Malformed("division by zero", op);
                if (unsigned) return new CValue(op.Text == "/" ? x.Bits / y.Bits : x.Bits % y.Bits, type);
                if (x.Signed == long.MinValue && y.Signed == -1) throw Malformed("signed division overflows", op);
                return new CValue((ulong)(op.Text == "/" ? x.Signed / y.Signed : x.Signed % y.Signed), type);
            case "==": return CValue.Int(x.Bits == y.Bits ? 1 : 0);
            case "!=": return CValue.Int(x.Bits != y.Bits ? 1 : 0);
            case "<": return CValue.Int((unsigned ? x.Bits < y.Bits : x.Signed < y.Signed) ? 1 : 0);
            case ">": return CValue.Int((unsigned ? x.Bits > y.Bits : x.Signed > y.Signed) ? 1 : 0);
            case "<=": return CValue.Int((unsigned ? x.Bits <= y.Bits : x.Signed <= y.Signed) ? 1 : 0);
            case ">=": return CValue.Int((unsigned ? x.Bits >= y.Bits : x.Signed >= y.Signed) ? 1 : 0);
        }
        throw Malformed($"unsupported operator '{op.Text}'", op);
    }

    private static CValue Shift(Token op, CValue a, CValue b)
    {
        long count = b.IsUnsigned ? (long)Math.Min(b.Bits, 1000UL) : b.Signed;
        if (count < 0 || count >= a.Width) throw Malformed($"shift count {count} is out of range for a {a.Width}-bit value", op);
        if (op.Text == ">>")
            return a.IsUnsigned ? new CValue(a.Bits >> (int)count, a.Type) : new CValue((ulong)(a.Signed >> (int)count), a.Type);
        var result = new CValue(a.Bits << (int)count, a.Type);
        bool intoSign = !a.IsUnsigned && !a.IsNegative && result.IsNegative;
        return intoSign ? new CValue(result.Bits, result.Type, shiftedIntoSign: true) : result;
    }

    private CValue Unary()
    {
        var t = Current;
        if (t.Kind == TokenKind.Punct)
        {
            switch (t.Text)
            {
                // Every value here is at least int, so the integer promotions change nothing.
                case "-": _pos++; { var v = Unary(); return new CValue(0 - v.Bits, v.Type); }
                case "+": _pos++; return Unary();
                case "~": _pos++; { var v = Unary(); return new CValue(~v.Bits, v.Type); }
                case "!": _pos++; return CValue.Int(Unary().IsZero ? 1 : 0);
                case "(":
                    if (IsCastAhead()) return Cast();
                    _pos++;
                    var inner = Conditional();
                    Expect(")");
                    return inner;
            }
        }
        return Primary();
    }

    private bool IsCastAhead()
    {
        var next = _pos + 1 < _tokens.Count ? _tokens[_pos + 1] : EndToken;
        return next.Kind == TokenKind.Identifier && (BuiltinTypes.IsTypeName(next.Text) || next.Text is "struct" or "union" or "enum" or "const" or "volatile");
    }

    private CValue Cast()
    {
        var open = Next();
        var words = new List<string>();
        bool pointer = false;
        while (Current.Kind != TokenKind.End && !Current.Is(")"))
        {
            var w = Next();
            if (w.Is("*")) pointer = true;
            else if (w.Text is not ("const" or "volatile")) words.Add(w.Text);
        }
        Expect(")");
        if (pointer || words.Count == 0 || words[0] is "struct" or "union" or "enum" or "void")
            throw NotConstant("cast to a non-integer type", open);
        var target = words.Count == 1 ? BuiltinTypes.Lookup(words[0], _profile) ?? BuiltinTypes.FromKeywords(words, _profile.CharIsSigned) : BuiltinTypes.FromKeywords(words, _profile.CharIsSigned);
        if (target == null) throw NotConstant($"cast to unknown type '{string.Join(" ", words)}'", open);
        var value = Unary();
        return CastTo(value, target.Size, target.Signed);
    }

    private static CValue CastTo(CValue value, int size, bool signed)
    {
        if (size == 8) return new CValue(value.Bits, signed ? CIntType.Long : CIntType.ULong);
        if (size == 4) return new CValue(value.Bits, signed ? CIntType.Int : CIntType.UInt);
        // Narrow types truncate, then promote to int.
        ulong mask = size == 1 ? 0xFFUL : 0xFFFFUL;
        ulong bits = value.Bits & mask;
        if (signed && (bits & (mask + 1) >> 1) != 0) bits |= ~mask;
        return new CValue(bits, CIntType.Int);
    }

    private CValue Primary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.Number: return CLiterals.ParseNumber(t);
            case TokenKind.Char: return CLiterals.ParseChar(t, _profile.CharIsSigned);
            case TokenKind.String: throw NotConstant("string literal", t);
            case TokenKind.End: throw Malformed("expression ends too early", Last);
            case TokenKind.Identifier:
                switch (t.Text)
                {
                    case "sizeof": return SizeOf(t);
                    case "_IO": return IoctlMacro(t, Ioc.Direction.None, hasType: false);
                    case "_IOR": return IoctlMacro(t, Ioc.Direction.Read, hasType: true);
                    case "_IOW": return IoctlMacro(t, Ioc.Direction.Write, hasType: true);
                    case "_IOWR": return IoctlMacro(t, Ioc.Direction.Read | Ioc.Direction.Write, hasType: true);
                    case "_IOC": return IocMacro(t);
                }
                var known = _identifiers?.Invoke(t.Text);
                if (known.HasValue) return known.Value;
                if (_directive) return CValue.Int(0);
                throw NotConstant($"'{t.Text}' is not an integer constant", t);
        }
        throw Malformed($"unexpected '{t.Text}'", t);
    }

    private CValue SizeOf(Token at)
    {
        Expect("(");
        var type = TypeTokensUntilClose();
        int? size = _sizeOf?.Invoke(type);
        if (size == null) throw NotConstant("sizeof of an unknown type", at);
        return new CValue((ulong)size.Value, CIntType.ULong);
    }

    /// <summary>Reads tokens up to the ')' closing the current group and consumes it.</summary>
    private List<Token> TypeTokensUntilClose()
    {
        var type = new List<Token>();
        int depth = 0;
        while (true)
        {
            var t = Next();
            if (t.Kind == TokenKind.End) throw Malformed("missing ')'", Last);
            if (t.Is("(")) depth++;
            if (t.Is(")") && depth-- == 0) return type;
            type.Add(t);
        }
    }

    private CValue IoctlMacro(Token at, Ioc.Direction direction, bool hasType)
    {
        Expect("(");
        var type = ToUInt(Conditional(), at, "type");
        Expect(",");
        var nr = ToUInt(Conditional(), at, "number");
        uint size = 0;
        if (hasType)
        {
            Expect(",");
            var typeTokens = TypeTokensUntilClose();
            int? s = _sizeOf?.Invoke(typeTokens);
            if (s == null) throw NotConstant("ioctl argument type is unknown", at);
            size = (uint)s.Value;
        }
        else
        {
            Expect(")");
        }
        return Encode(at, direction, type, nr, size);
    }

    private CValue IocMacro(Token at)
    {
        Expect("(");
        var dir = ToUInt(Conditional(), at, "direction");
        Expect(",");
        var type = ToUInt(Conditional(), at, "type");
        Expect(",");
        var nr = ToUInt(Conditional(), at, "number");
        Expect(",");
        var size = ToUInt(Conditional(), at, "size");
        Expect(")");
        if (dir > 3) throw Malformed($"_IOC direction {dir} is not NONE, READ, WRITE or both", at);
        return Encode(at, (Ioc.Direction)dir, type, nr, size);
    }

    private CValue Encode(Token at, Ioc.Direction direction, uint type, uint nr, uint size)
    {
        try
        {
            return new CValue(Ioc.Encode(_profile.Encoding, direction, type, nr, size), CIntType.UInt);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw Malformed("ioctl request does not fit: " + e.Message.Split('\n')[0].Trim(), at);
        }
    }

    private static uint ToUInt(CValue v, Token at, string what)
    {
        if (v.IsNegative || v.Bits > uint.MaxValue) throw Malformed($"ioctl {what} {v} is out of range", at);
        return (uint)v.Bits;
    }
}

using System;
using System.Collections.Generic;
using IommuFd.Uapi;

namespace IommuFd.UapiGenerator.CFront;

/// <summary>Runs the C preprocessor over a header: conditionals, <c>#define/#undef</c>, and
/// <c>#include</c> of built-in kernel headers (whose types and macros the generator knows) and of
/// other headers of the set (resolved by path suffix). Produces the active tokens of every file
/// (tagged with their file index) and the macro definitions in source order.</summary>
internal sealed class Preprocessor
{
    private const int MaxIncludeDepth = 32;

    /// <summary>Headers the generator knows without reading them.</summary>
    private static readonly HashSet<string> BuiltinHeaders = new(StringComparer.Ordinal)
    {
        "linux/types.h", "linux/ioctl.h", "asm/ioctl.h", "asm-generic/ioctl.h", "linux/const.h",
        "asm/types.h", "asm-generic/types.h", "asm-generic/int-ll64.h", "linux/posix_types.h",
        "asm/posix_types.h", "linux/stddef.h", "asm/byteorder.h", "linux/compiler.h", "linux/compiler_types.h",
    };

    private readonly Func<string, SourceFile?> _resolveInclude;
    private readonly TargetProfile _profile;
    private readonly DiagnosticBag _diagnostics;
    private readonly HashSet<string> _included = new(StringComparer.Ordinal);

    public Preprocessor(List<SourceFile> files, Func<string, SourceFile?> resolveInclude, TargetProfile profile, DiagnosticBag diagnostics)
    {
        Files = files;
        _resolveInclude = resolveInclude;
        _profile = profile;
        _diagnostics = diagnostics;
        foreach (var m in Predefined(profile)) Macros[m.Name] = m;
    }

    public List<SourceFile> Files { get; }
    public Dictionary<string, Macro> Macros { get; } = new(StringComparer.Ordinal);
    /// <summary>Every <c>#define</c> seen, in source order (later ones may redefine earlier ones).</summary>
    public List<Macro> Definitions { get; } = new();
    public List<Token> Output { get; } = new();
    /// <summary>Comments per file index.</summary>
    public Dictionary<int, List<Comment>> Comments { get; } = new();

    /// <summary>Preprocesses file 0 (the main header).</summary>
    public void Run() => RunFile(0, 0);

    private void RunFile(int fileIndex, int depth)
    {
        var file = Files[fileIndex];
        _included.Add(file.Path);
        var lexer = new Lexer(file.Text, fileIndex);
        lexer.Run();
        Comments[fileIndex] = lexer.Comments;
        foreach (var (offset, line, column, message) in lexer.Errors)
            _diagnostics.ReportAt(DiagnosticDescriptors.PreprocessorError, file.Path, offset, 1, line, column, message);

        var tokens = lexer.Tokens;
        var conditions = new Stack<Condition>();
        var text = new List<Token>(); // active text since the last directive
        int i = 0;
        while (tokens[i].Kind != TokenKind.End)
        {
            var t = tokens[i];
            if (t.StartOfLine && t.Is("#"))
            {
                ExpandInto(text);
                int end = i + 1;
                while (!tokens[end].StartOfLine) end++;
                Directive(tokens, i, end, conditions, depth);
                i = end;
                continue;
            }
            if (IsActive(conditions)) text.Add(t);
            i++;
        }
        ExpandInto(text);
        if (conditions.Count > 0)
            _diagnostics.Report(DiagnosticDescriptors.PreprocessorError, conditions.Peek().At, "#if without #endif");
    }

    /// <summary>Moves <paramref name="text"/> to the output with its macros expanded under the
    /// definitions in force here, as a C compiler does (a function-like macro in a declarator,
    /// <c>__counted_by(n)</c>, <c>__DECLARE_FLEX_ARRAY</c>). Expanded tokens take the location of
    /// the macro's name, so diagnostics point at the header's line.</summary>
    private void ExpandInto(List<Token> text)
    {
        int i = 0;
        while (i < text.Count)
        {
            var t = text[i];
            if (t.Kind != TokenKind.Identifier || !Macros.TryGetValue(t.Text, out var macro)
                || (macro.IsFunctionLike && (i + 1 >= text.Count || !text[i + 1].Is("("))))
            {
                Output.Add(t);
                i++;
                continue;
            }
            int end = macro.IsFunctionLike ? ClosingParen(text, i + 1) : i;
            if (end < 0)
            {
                _diagnostics.Report(DiagnosticDescriptors.MalformedMacro, t, t.Text, "unbalanced parentheses in macro arguments");
                end = text.Count - 1;
            }
            var evaluator = new ConstEvaluator(Macros, _profile, null, null, directive: false);
            try
            {
                foreach (var x in evaluator.Expand(text.GetRange(i, end - i + 1), new HashSet<string>(), 0))
                    Output.Add(new Token(x.Kind, x.Text, t.File, t.Offset, t.Line, t.Column, false));
            }
            catch (EvalException e)
            {
                _diagnostics.Report(DiagnosticDescriptors.MalformedMacro, t, t.Text, e.Message);
            }
            i = end + 1;
        }
        text.Clear();
    }

    private static int ClosingParen(List<Token> text, int open)
    {
        int depth = 0;
        for (int k = open; k < text.Count; k++)
        {
            if (text[k].Is("(")) depth++;
            else if (text[k].Is(")") && --depth == 0) return k;
        }
        return -1;
    }

    private static bool IsActive(Stack<Condition> conditions) => conditions.Count == 0 || conditions.Peek().Active;

    private sealed class Condition
    {
        public Condition(Token at, bool parentActive, bool active)
        {
            At = at;
            ParentActive = parentActive;
            Active = active;
            Taken = active;
        }

        public Token At { get; }
        public bool ParentActive { get; }
        public bool Active { get; set; }
        public bool Taken { get; set; }
        public bool SeenElse { get; set; }
    }

    private void Directive(List<Token> tokens, int hash, int end, Stack<Condition> conditions, int depth)
    {
        if (hash + 1 >= end) return; // null directive
        var name = tokens[hash + 1];
        var rest = tokens.GetRange(hash + 2, end - hash - 2);
        bool active = IsActive(conditions);
        switch (name.Text)
        {
            case "if":
                conditions.Push(new Condition(name, active, active && EvaluateCondition(name, rest)));
                return;
            case "ifdef":
            case "ifndef":
                if (rest.Count == 0 || rest[0].Kind != TokenKind.Identifier)
                {
                    if (active) _diagnostics.Report(DiagnosticDescriptors.PreprocessorError, name, $"#{name.Text} needs a macro name");
                    conditions.Push(new Condition(name, active, false));
                    return;
                }
                bool defined = Macros.ContainsKey(rest[0].Text);
                conditions.Push(new Condition(name, active, active && (name.Text == "ifdef" ? defined : !defined)));
                return;
            case "elif":
            case "else":
                if (conditions.Count == 0 || conditions.Peek().SeenElse)
                {
                    _diagnostics.Report(DiagnosticDescriptors.PreprocessorError, name, $"#{name.Text} without #if");
                    return;
                }
                var c = conditions.Peek();
                if (name.Text == "else") c.SeenElse = true;
                bool take = c.ParentActive && !c.Taken && (name.Text == "else" || EvaluateCondition(name, rest));
                c.Active = take;
                c.Taken |= take;
                return;
            case "endif":
                if (conditions.Count == 0) _diagnostics.Report(DiagnosticDescriptors.PreprocessorError, name, "#endif without #if");
                else conditions.Pop();
                return;
        }
        if (!active) return;
        switch (name.Text)
        {
            case "define": Define(name, rest); return;
            case "undef":
                if (rest.Count > 0) Macros.Remove(rest[0].Text);
                return;
            case "include": Include(name, rest, depth); return;
            case "error":
                _diagnostics.Report(DiagnosticDescriptors.PreprocessorError, name, "#error " + Join(rest));
                return;
            case "pragma":
            case "warning":
            case "line":
            case "ident":
                return;
        }
        _diagnostics.Report(DiagnosticDescriptors.PreprocessorError, name, $"unknown directive #{name.Text}");
    }

    private static string Join(List<Token> tokens)
    {
        var parts = new List<string>();
        foreach (var t in tokens) parts.Add(t.Text);
        return string.Join(" ", parts);
    }

    private bool EvaluateCondition(Token at, List<Token> expression)
    {
        var evaluator = new ConstEvaluator(Macros, _profile, null, null, directive: true);
        var result = evaluator.Evaluate(expression);
        if (result.Status == EvalStatus.Ok) return !result.Value.IsZero;
        _diagnostics.Report(DiagnosticDescriptors.PreprocessorError, result.At ?? at, $"#{at.Text} condition cannot be evaluated ({result.Message}); taken as false");
        return false;
    }

    private void Define(Token at, List<Token> rest)
    {
        if (rest.Count == 0 || rest[0].Kind != TokenKind.Identifier)
        {
            _diagnostics.Report(DiagnosticDescriptors.MalformedMacro, at, "#define", "missing macro name");
            return;
        }
        var name = rest[0];
        List<string>? parameters = null;
        bool variadic = false;
        int bodyStart = 1;
        if (rest.Count > 1 && rest[1].Is("(") && rest[1].Offset == name.EndOffset)
        {
            parameters = new List<string>();
            int k = 2;
            while (true)
            {
                if (k >= rest.Count)
                {
                    _diagnostics.Report(DiagnosticDescriptors.MalformedMacro, name, name.Text, "unterminated parameter list");
                    return;
                }
                var p = rest[k];
                if (p.Is(")")) { k++; break; }
                if (p.Is("..."))
                {
                    // `NAME...` names the variadic parameter; a bare `...` is __VA_ARGS__.
                    if (!(k > 2 && rest[k - 1].Kind == TokenKind.Identifier)) parameters.Add("__VA_ARGS__");
                    variadic = true;
                }
                else if (p.Kind == TokenKind.Identifier) parameters.Add(p.Text);
                else if (!p.Is(","))
                {
                    _diagnostics.Report(DiagnosticDescriptors.MalformedMacro, p, name.Text, $"unexpected '{p.Text}' in parameter list");
                    return;
                }
                k++;
            }
            bodyStart = k;
        }
        var macro = new Macro(name.Text, parameters, rest.GetRange(bodyStart, rest.Count - bodyStart), name, name.File, variadic)
        {
            Order = Definitions.Count,
        };
        Macros[name.Text] = macro;
        Definitions.Add(macro);
    }

    private void Include(Token at, List<Token> rest, int depth)
    {
        string? path = null;
        if (rest.Count == 1 && rest[0].Kind == TokenKind.String)
            path = rest[0].Text.Trim('"');
        else if (rest.Count >= 3 && rest[0].Is("<") && rest[rest.Count - 1].Is(">"))
        {
            var parts = new List<string>();
            for (int k = 1; k < rest.Count - 1; k++) parts.Add(rest[k].Text);
            path = string.Concat(parts);
        }
        if (path == null)
        {
            _diagnostics.Report(DiagnosticDescriptors.PreprocessorError, at, "malformed #include");
            return;
        }
        if (BuiltinHeaders.Contains(path)) return;
        var file = _resolveInclude(path);
        if (file == null)
        {
            _diagnostics.Report(DiagnosticDescriptors.IncludeNotFound, at, (rest[0].Is("<") ? "<" + path + ">" : "\"" + path + "\""));
            return;
        }
        if (_included.Contains(file.Path)) return;
        if (depth >= MaxIncludeDepth)
        {
            _diagnostics.Report(DiagnosticDescriptors.PreprocessorError, at, "#include nests too deeply");
            return;
        }
        Files.Add(file);
        RunFile(Files.Count - 1, depth + 1);
    }

    /// <summary>Macros of the built-in headers and the target's predefined macros.</summary>
    private static IEnumerable<Macro> Predefined(TargetProfile profile)
    {
        Macro Object(string name, string body) => new(name, null, Tokenize(body), null, -1);
        Macro Function(string name, string[] parameters, string body) => new(name, parameters, Tokenize(body), null, -1);
        yield return Object("__LP64__", "1");
        yield return Object("__linux__", "1");
        yield return Object("__BITS_PER_LONG", "64");
        foreach (var define in profile.Defines) yield return Object(define, "1");
        yield return Object("_IOC_NONE", "0U");
        yield return Object("_IOC_WRITE", "1U");
        yield return Object("_IOC_READ", "2U");
        yield return Object("__user", "");
        yield return Object("__force", "");
        yield return Object("__bitwise", "");
        yield return Function("_BITUL", new[] { "x" }, "(1UL << (x))");
        yield return Function("_BITULL", new[] { "x" }, "(1ULL << (x))");
        yield return Function("_UL", new[] { "x" }, "(x##UL)");
        yield return Function("__KERNEL_DIV_ROUND_UP", new[] { "n", "d" }, "(((n) + (d) - 1) / (d))");
        // gcc's byte-order macros and <asm/byteorder.h>'s bitfield order.
        yield return Object("__ORDER_LITTLE_ENDIAN__", "1234");
        yield return Object("__ORDER_BIG_ENDIAN__", "4321");
        yield return Object("__BYTE_ORDER__", profile.BigEndian ? "__ORDER_BIG_ENDIAN__" : "__ORDER_LITTLE_ENDIAN__");
        yield return Object(profile.BigEndian ? "__BIG_ENDIAN" : "__LITTLE_ENDIAN", profile.BigEndian ? "4321" : "1234");
        yield return Object(profile.BigEndian ? "__BIG_ENDIAN_BITFIELD" : "__LITTLE_ENDIAN_BITFIELD", "");
        // <linux/stddef.h> as userspace sees it. The flexible-array wrapper leaves out the empty
        // struct in front of the array: it has size 0, so the layout is the same.
        yield return Object("__always_inline", "inline");
        yield return Object("__kernel_nonstring", "");
        yield return Function("__struct_group_tag", new[] { "TAG" }, "TAG");
        yield return new Macro("__struct_group", new[] { "TAG", "NAME", "ATTRS", "MEMBERS" },
            Tokenize("union { struct { MEMBERS } ATTRS; struct __struct_group_tag(TAG) { MEMBERS } ATTRS NAME; } ATTRS"), null, -1, variadic: true);
        yield return Function("__DECLARE_FLEX_ARRAY", new[] { "TYPE", "NAME" }, "struct { TYPE NAME[]; }");
        foreach (var counted in new[] { "__counted_by", "__counted_by_le", "__counted_by_be", "__counted_by_ptr" })
            yield return Function(counted, new[] { "m" }, "");
    }

    private static List<Token> Tokenize(string text)
    {
        var lexer = new Lexer(text, -1);
        lexer.Run();
        lexer.Tokens.RemoveAt(lexer.Tokens.Count - 1);
        return lexer.Tokens;
    }
}

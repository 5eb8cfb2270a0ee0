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
            _diagnostics.ReportAt("UAPI011", file.Path, offset, 1, line, column, message);

        var tokens = lexer.Tokens;
        var conditions = new Stack<Condition>();
        int i = 0;
        while (tokens[i].Kind != TokenKind.End)
        {
            var t = tokens[i];
            if (t.StartOfLine && t.Is("#"))
            {
                int end = i + 1;
                while (!tokens[end].StartOfLine) end++;
                Directive(tokens, i, end, conditions, depth);
                i = end;
                continue;
            }
            if (IsActive(conditions)) Output.Add(t);
            i++;
        }
        if (conditions.Count > 0)
            _diagnostics.Report("UAPI011", conditions.Peek().At, "#if without #endif");
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
                    if (active) _diagnostics.Report("UAPI011", name, $"#{name.Text} needs a macro name");
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
                    _diagnostics.Report("UAPI011", name, $"#{name.Text} without #if");
                    return;
                }
                var c = conditions.Peek();
                if (name.Text == "else") c.SeenElse = true;
                bool take = c.ParentActive && !c.Taken && (name.Text == "else" || EvaluateCondition(name, rest));
                c.Active = take;
                c.Taken |= take;
                return;
            case "endif":
                if (conditions.Count == 0) _diagnostics.Report("UAPI011", name, "#endif without #if");
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
                _diagnostics.Report("UAPI011", name, "#error " + Join(rest));
                return;
            case "pragma":
            case "warning":
            case "line":
            case "ident":
                return;
        }
        _diagnostics.Report("UAPI011", name, $"unknown directive #{name.Text}");
    }

    private static string Join(List<Token> tokens)
    {
        var parts = new List<string>();
        foreach (var t in tokens) parts.Add(t.Text);
        return string.Join(" ", parts);
    }

    private bool EvaluateCondition(Token at, List<Token> expression)
    {
        var evaluator = new ConstEvaluator(Macros, _profile.Encoding, _profile.CharIsSigned, null, null, directive: true);
        var result = evaluator.Evaluate(expression);
        if (result.Status == EvalStatus.Ok) return !result.Value.IsZero;
        _diagnostics.Report("UAPI011", result.At ?? at, $"#{at.Text} condition cannot be evaluated ({result.Message}); taken as false");
        return false;
    }

    private void Define(Token at, List<Token> rest)
    {
        if (rest.Count == 0 || rest[0].Kind != TokenKind.Identifier)
        {
            _diagnostics.Report("UAPI004", at, "#define", "missing macro name");
            return;
        }
        var name = rest[0];
        List<string>? parameters = null;
        int bodyStart = 1;
        if (rest.Count > 1 && rest[1].Is("(") && rest[1].Offset == name.EndOffset)
        {
            parameters = new List<string>();
            int k = 2;
            while (true)
            {
                if (k >= rest.Count)
                {
                    _diagnostics.Report("UAPI004", name, name.Text, "unterminated parameter list");
                    return;
                }
                var p = rest[k];
                if (p.Is(")")) { k++; break; }
                if (p.Kind == TokenKind.Identifier || p.Is("...")) parameters.Add(p.Text);
                else if (!p.Is(","))
                {
                    _diagnostics.Report("UAPI004", p, name.Text, $"unexpected '{p.Text}' in parameter list");
                    return;
                }
                k++;
            }
            bodyStart = k;
        }
        var macro = new Macro(name.Text, parameters, rest.GetRange(bodyStart, rest.Count - bodyStart), name, name.File)
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
            _diagnostics.Report("UAPI011", at, "malformed #include");
            return;
        }
        if (BuiltinHeaders.Contains(path)) return;
        var file = _resolveInclude(path);
        if (file == null)
        {
            _diagnostics.Report("UAPI005", at, (rest[0].Is("<") ? "<" + path + ">" : "\"" + path + "\""));
            return;
        }
        if (_included.Contains(file.Path)) return;
        if (depth >= MaxIncludeDepth)
        {
            _diagnostics.Report("UAPI011", at, "#include nests too deeply");
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
    }

    private static List<Token> Tokenize(string text)
    {
        var lexer = new Lexer(text, -1);
        lexer.Run();
        lexer.Tokens.RemoveAt(lexer.Tokens.Count - 1);
        return lexer.Tokens;
    }
}

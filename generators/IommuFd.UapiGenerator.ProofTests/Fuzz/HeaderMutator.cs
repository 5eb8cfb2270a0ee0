using System.Text;
using System.Text.RegularExpressions;

namespace IommuFd.UapiGenerator.ProofTests.Fuzz;

/// <summary>Makes broken variants of a real header, reproducibly from a seed: truncation,
/// deleted/duplicated/garbled tokens, unbalanced braces and conditionals, absurd numbers, huge
/// arrays, self-referencing macros, deep nesting and random bytes.</summary>
public sealed partial class HeaderMutator(string header, int seed)
{
    private static readonly string[] Absurd =
    [
        "1<<999", "(1ULL << 64)", "0xFFFFFFFFFFFFFFFFFFFF", "99999999999999999999999999", "-0x8000000000000000",
        "(1/0)", "(5 % 0)", "-1", "0x", "08", "1e999", "'\\xff'", "''", "'ab'", "(-(-9223372036854775807LL - 1))",
        "18446744073709551615ULL", "(~0ULL >> -1)", "((__u64)-1 * 3)", "(1 ? : 2)", "((", "))",
    ];

    private static readonly string[] Tokens =
    [
        "{", "}", "(", ")", "[", "]", ";", ",", "=", "*", "struct", "union", "enum", "__u64", "__u8", "__s32",
        "__aligned_u64", "__user", "#define", "#if 0", "#ifdef X", "#else", "#endif", "#include <linux/types.h>",
        "_IO(", "_IOWR(", "typedef", "sizeof", "\\", "/*", "*/", "//", "\"", "'", "#", "##", "...", ":", "?",
        "__attribute__((packed))", "__attribute__((aligned(64)))", "const", "volatile", "int", "long", "unsigned",
    ];

    private readonly Random _random = new(seed);
    private readonly string _header = header;

    /// <summary>What the last <see cref="Next"/> did, to reproduce a failure by hand.</summary>
    public string LastDescription { get; private set; } = "";

    /// <summary>One mutated header with one to four mutations applied.</summary>
    public string Next()
    {
        List<string> tokens = Tokenize(_header);
        var applied = new List<string>();
        int count = _random.Next(1, 5);
        for (int i = 0; i < count; i++)
            applied.Add(Mutate(tokens));
        LastDescription = string.Join("; ", applied);
        return string.Concat(tokens);
    }

    private string Mutate(List<string> tokens)
    {
        if (tokens.Count == 0) tokens.Add("");
        int at = _random.Next(tokens.Count);
        switch (_random.Next(14))
        {
            case 0:
                tokens.RemoveRange(at, tokens.Count - at);
                return $"truncate at token {at}";
            case 1:
                int deleted = Math.Min(_random.Next(1, 8), tokens.Count - at);
                tokens.RemoveRange(at, deleted);
                return $"delete {deleted} tokens at {at}";
            case 2:
                int length = Math.Min(_random.Next(1, 40), tokens.Count - at);
                tokens.InsertRange(at, tokens.GetRange(at, length));
                return $"duplicate {length} tokens at {at}";
            case 3:
                string token = Tokens[_random.Next(Tokens.Length)];
                tokens[at] = " " + token + " ";
                return $"garble token {at} into '{token}'";
            case 4:
                string brace = _random.Next(2) == 0 ? "{" : "}";
                tokens.Insert(at, brace);
                return $"insert '{brace}' at {at}";
            case 5:
                string directive = _random.Next(3) switch { 0 => "\n#if 1\n", 1 => "\n#endif\n", _ => "\n#else\n" };
                tokens.Insert(at, directive);
                return $"insert {directive.Trim()} at {at}";
            case 6:
                return ReplaceNumber(tokens, at, Absurd[_random.Next(Absurd.Length)]);
            case 7:
                return ReplaceNumber(tokens, at, _random.Next(3) switch { 0 => "0x7fffffff", 1 => "(1ULL<<62)", _ => "4294967296" }, inBrackets: true);
            case 8:
                tokens.Insert(at, "\n#define FUZZ_A FUZZ_B\n#define FUZZ_B FUZZ_A\n#define FUZZ_C (FUZZ_C + 1)\n" +
                                  "#define FUZZ_IO _IO(FUZZ_A, FUZZ_C)\nenum { FUZZ_E = FUZZ_A, FUZZ_F = FUZZ_F + 1 };\n");
                return $"insert self-referencing macros at {at}";
            case 9:
                int depth = _random.Next(10, 3000);
                tokens.Insert(at, $"\n#define FUZZ_DEEP {new string('(', depth)}1{new string(')', depth)}\n" +
                                  $"struct fuzz_deep {{ {string.Concat(Enumerable.Repeat("struct { ", depth / 10))}__u8 x;" +
                                  $"{string.Concat(Enumerable.Repeat(" };", depth / 10))} }};\n");
                return $"insert nesting depth {depth} at {at}";
            case 10:
                var bytes = new StringBuilder();
                int n = _random.Next(1, 64);
                for (int i = 0; i < n; i++) bytes.Append((char)_random.Next(0, 256));
                tokens.Insert(at, bytes.ToString());
                return $"insert {n} random chars at {at}";
            case 11:
                int a = _random.Next(tokens.Count), b = _random.Next(tokens.Count);
                (tokens[a], tokens[b]) = (tokens[b], tokens[a]);
                return $"swap tokens {a} and {b}";
            case 12:
                tokens.Insert(at, "\n#define FUZZ_CONT 1 \\\n");
                tokens.Add("\\");
                return $"dangling continuation at {at} and at end";
            default:
                tokens.Insert(at, "\nstruct fuzz_huge { __u64 a[0x7fffffffffff]; __u8 b[1<<40][1<<40]; };\n" +
                                  "#define FUZZ_BIG_IO _IOWR(';', 0x80, struct fuzz_huge)\n");
                return $"insert huge arrays at {at}";
        }
    }

    private string ReplaceNumber(List<string> tokens, int from, string replacement, bool inBrackets = false)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            int index = (from + i) % tokens.Count;
            if (!NumberRegex().IsMatch(tokens[index])) continue;
            if (inBrackets && (index == 0 || tokens[index - 1] != "[")) continue;
            tokens[index] = replacement;
            return $"number at {index} -> {replacement}";
        }
        tokens.Insert(from, replacement);
        return $"insert {replacement} at {from}";
    }

    /// <summary>Identifiers, numbers, single punctuation and whitespace runs, concatenating back
    /// to the original text.</summary>
    public static List<string> Tokenize(string text) =>
        TokenRegex().Matches(text).Select(m => m.Value).ToList();

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*|0[xX][0-9A-Fa-f]+[uUlL]*|[0-9]+[uUlL]*|\s+|.", RegexOptions.Singleline)]
    private static partial Regex TokenRegex();

    [GeneratedRegex(@"^(0[xX][0-9A-Fa-f]+|[0-9]+)[uUlL]*$")]
    private static partial Regex NumberRegex();
}

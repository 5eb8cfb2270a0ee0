using System.Collections.Generic;

namespace IommuFd.UapiGenerator.CFront;

/// <summary>Finds the comments that document a declaration: the comment right before it (no code
/// in between) or the comment trailing its line.</summary>
internal sealed class CommentIndex
{
    private readonly Dictionary<int, List<Comment>> _comments;

    public CommentIndex(Dictionary<int, List<Comment>> comments) => _comments = comments;

    public IEnumerable<Comment> All(int file) => _comments.TryGetValue(file, out var list) ? list : new List<Comment>();

    /// <summary>The last non-trailing comment of <paramref name="file"/> that lies between
    /// <paramref name="after"/> and <paramref name="before"/> (character offsets).</summary>
    public Comment? Preceding(int file, int after, int before)
    {
        if (!_comments.TryGetValue(file, out var list)) return null;
        Comment? best = null;
        foreach (var c in list)
        {
            if (c.Offset < after || c.Offset >= before) continue;
            if (c.Trailing) continue;
            best = c;
        }
        return best;
    }

    /// <summary>A comment that follows code on <paramref name="line"/>.</summary>
    public Comment? TrailingOn(int file, int line)
    {
        if (!_comments.TryGetValue(file, out var list)) return null;
        foreach (var c in list)
            if (c.Trailing && c.StartLine == line) return c;
        return null;
    }
}

using System.Text;

namespace PolicyChat.Core.Documents;

/// <summary>
/// Builds canonical document text from structured formats: lines, paragraphs separated by one blank line, and
/// headings on their own line whose spans are recorded. Everything appended is canonicalized on the way in, so the
/// recorded offsets point into the final text.
/// </summary>
internal sealed class DocumentTextBuilder
{
    private readonly StringBuilder _sb = new();
    private readonly List<HeadingSpan> _headings = [];

    public IReadOnlyList<HeadingSpan> Headings => _headings;

    /// <summary>Characters written so far.</summary>
    public int Length => _sb.Length;

    /// <summary>When true, runs of ASCII whitespace in appended text become one space and no line starts with a space (HTML).</summary>
    public bool CollapseWhitespace { get; set; }

    /// <summary>Appends inline text, canonicalized (and collapsed when <see cref="CollapseWhitespace"/> is set).</summary>
    public void Append(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }
        var canonical = TextDecoding.Canonicalize(text);
        if (!CollapseWhitespace)
        {
            _sb.Append(canonical);
            return;
        }
        foreach (var c in canonical)
        {
            // Only ASCII whitespace collapses (as in HTML); a no-break space is content.
            if (c is ' ' or '\t' or '\n')
            {
                if (_sb.Length > 0 && _sb[^1] is not (' ' or '\t' or '\n'))
                {
                    _sb.Append(' ');
                }
            }
            else
            {
                _sb.Append(c);
            }
        }
    }

    /// <summary>Appends text verbatim line by line (code blocks, preformatted text), canonicalized, never collapsed.</summary>
    public void AppendVerbatim(string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            _sb.Append(TextDecoding.Canonicalize(text));
        }
    }

    /// <summary>
    /// Appends one table row on its own line: each cell collapsed to one line, cells separated by tabs (empty cells
    /// keep their place).
    /// </summary>
    public void AppendTableRow(IEnumerable<string?> cells)
    {
        EndLine();
        var first = true;
        foreach (var cell in cells)
        {
            if (!first)
            {
                _sb.Append('\t');
            }
            first = false;
            _sb.Append(CollapseToLine(cell));
        }
        EndLine();
    }

    /// <summary>Forces a line break (HTML br, Markdown hard break), even after an empty line.</summary>
    public void LineBreak()
    {
        TrimTrailingSpaces();
        if (_sb.Length > 0)
        {
            _sb.Append('\n');
        }
    }

    /// <summary>Ends the current line if it has content.</summary>
    public void EndLine()
    {
        TrimTrailingSpaces();
        if (_sb.Length > 0 && _sb[^1] != '\n')
        {
            _sb.Append('\n');
        }
    }

    /// <summary>Ends the current paragraph: what follows starts after one blank line.</summary>
    public void EndParagraph()
    {
        EndLine();
        if (_sb.Length > 1 && _sb[^2] != '\n')
        {
            _sb.Append('\n');
        }
    }

    /// <summary>Adds a heading as its own paragraph and records its span. Empty headings are ignored.</summary>
    public void AddHeading(string? text, int level)
    {
        var line = CollapseToLine(text);
        if (line.Length == 0)
        {
            return;
        }
        EndParagraph();
        var start = _sb.Length;
        _sb.Append(line);
        _headings.Add(new HeadingSpan(start, _sb.Length, Math.Clamp(level, 1, 6)));
        EndParagraph();
    }

    /// <summary>The text without trailing whitespace; heading spans stay valid because headings are trimmed lines.</summary>
    public string Build()
    {
        TrimTrailingSpaces();
        var end = _sb.Length;
        while (end > 0 && char.IsWhiteSpace(_sb[end - 1]))
        {
            end--;
        }
        return _sb.ToString(0, end);
    }

    /// <summary>Canonical, single-line, whitespace-collapsed form of a short text (headings, titles).</summary>
    public static string CollapseToLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }
        var canonical = TextDecoding.Canonicalize(text);
        var sb = new StringBuilder(canonical.Length);
        foreach (var c in canonical)
        {
            if (char.IsWhiteSpace(c))
            {
                if (sb.Length > 0 && sb[^1] != ' ')
                {
                    sb.Append(' ');
                }
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString().Trim();
    }

    /// <summary>Removes spaces at the end of the current line (tabs stay: they separate table cells, empty ones too).</summary>
    private void TrimTrailingSpaces()
    {
        var floor = _headings.Count > 0 ? _headings[^1].End : 0;
        while (_sb.Length > floor && _sb[^1] == ' ')
        {
            _sb.Length--;
        }
    }
}

using PolicyChat.Core.Chunking;

namespace PolicyChat.Core.Answering.Extractive;

/// <summary>
/// Lines an extractive answer never quotes: the document's headline (a sentence equal to its title), section headings,
/// datelines and outlet lines ("8 يناير 2025 06:18", "Ren Min Ri Bao·2025-11-04 22:06"): a whole line of at most
/// <see cref="MaxHeadingWords"/> words that ends without a sentence terminator. A labelled line ("المؤلف: يو شاوتشينغ",
/// "Author: …") states a fact and is kept.
/// </summary>
public static class HeadingFilter
{
    public const int MaxHeadingWords = 8;

    /// <summary>True when <c>text[range]</c> is a headline, heading or dateline of <paramref name="title"/>'s document.</summary>
    public static bool IsHeading(string text, TextRange range, string? title, Func<string, string> normalize)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(normalize);
        var sentence = text[range.Start..range.End];
        if (!string.IsNullOrWhiteSpace(title) && Same(sentence, title, normalize))
        {
            return true;
        }
        var wholeLine = (range.Start == 0 || SentenceBoundaries.IsLineBreak(PreviousNonSpace(text, range.Start)))
            && (range.End >= text.Length || SentenceBoundaries.IsLineBreak(NextNonSpace(text, range.End)));
        if (!wholeLine)
        {
            return false;
        }
        var trimmed = sentence.TrimEnd();
        if (trimmed.Length == 0 || SentenceBoundaries.IsTerminator(trimmed[^1]) || HasLabel(trimmed))
        {
            return false;
        }
        var words = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        return words <= MaxHeadingWords;
    }

    private static bool Same(string a, string b, Func<string, string> normalize) =>
        string.Equals(Collapse(normalize(a)), Collapse(normalize(b)), StringComparison.Ordinal);

    private static string Collapse(string s) =>
        string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Trim(' ', '.', '-', '–', '—', ':', '؛');

    // "Label: value" within the first few words (a byline, a field), not a time like 06:18.
    private static bool HasLabel(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < 30 && !char.IsDigit(line[colon - 1]) && colon + 1 < line.Length && !char.IsDigit(line[colon + 1]);
    }

    private static char PreviousNonSpace(string text, int index)
    {
        for (var i = index - 1; i >= 0; i--)
        {
            if (SentenceBoundaries.IsLineBreak(text[i]) || !char.IsWhiteSpace(text[i]))
            {
                return text[i];
            }
        }
        return '\n';
    }

    private static char NextNonSpace(string text, int index)
    {
        for (var i = index; i < text.Length; i++)
        {
            if (SentenceBoundaries.IsLineBreak(text[i]) || !char.IsWhiteSpace(text[i]))
            {
                return text[i];
            }
        }
        return '\n';
    }
}

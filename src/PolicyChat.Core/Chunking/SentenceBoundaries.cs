using System.Buffers;

namespace PolicyChat.Core.Chunking;

/// <summary>A half-open range of a text: <c>text[Start..End]</c>.</summary>
public readonly record struct TextRange(int Start, int End)
{
    public int Length => End - Start;
}

/// <summary>
/// The one implementation of sentence boundaries, shared by the chunker and the answer splitter.
/// </summary>
/// <remarks>
/// <para>A sentence ends after a run of terminators (Latin <c>. ! ? ;</c>, Arabic <c>؟ ؛ ۔</c>, CJK <c>。！？；．</c>,
/// the ellipsis <c>…</c>) plus any closing quotes or brackets, or at a line break. The rules are local (they look at a
/// few characters around the terminator), so any range of a text can be split without context.</para>
/// <para>CJK and Arabic terminators always end a sentence. A Latin <c>! ? ;</c> ends one when followed by a space,
/// the end of the text, a closing or an opening bracket, or a letter of a non-Latin script (scraped Arabic often omits
/// the space). A period additionally is not an end in a decimal number (<c>3.5</c>), inside a token
/// (<c>example.com</c>), after a single letter (<c>U.S.</c>, <c>J. Smith</c>, <c>e.g.</c>), after a few title
/// abbreviations (<c>Dr.</c>, <c>No. 5</c>), after a list number at the start of a line (<c>1. </c>) or when the next
/// word starts with a lower-case Latin letter.</para>
/// <para>Commas (<c>, ، ， 、</c>) are clause separators, used only to split sentences that are too long.</para>
/// </remarks>
public static class SentenceBoundaries
{
    private static readonly SearchValues<char> s_terminatorsAndBreaks =
        SearchValues.Create(".!?;\u061F\u061B\u06D4\u3002\uFF01\uFF1F\uFF1B\uFF0E\uFF61\u2026\n\r\u2028\u2029\u0085");

    private static readonly SearchValues<char> s_clauseSeparators = SearchValues.Create(",\u060C\uFF0C\u3001\uFF64\uFE50\uFE51");

    private static readonly string[] s_titleAbbreviations =
        ["Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "vs", "Gen", "Gov", "Sen", "Rep", "Hon", "Mt", "Messrs", "cf", "al"];

    private static readonly string[] s_numberAbbreviations = ["No", "Nos", "Art", "Arts", "Sec", "Fig", "Vol", "pp", "p", "Ch", "Para"];

    /// <summary>Sentence terminators of Latin, Arabic and CJK text.</summary>
    public static bool IsTerminator(char c) => c is '.' or '!' or '?' or ';' or '\u2026' || IsAlwaysTerminator(c);

    /// <summary>Commas (Latin, Arabic <c>،</c>, CJK <c>， 、</c>): clause boundaries used only as a fallback.</summary>
    public static bool IsClauseSeparator(char c) => s_clauseSeparators.Contains(c);

    public static bool IsLineBreak(char c) => c is '\n' or '\r' or '\u2028' or '\u2029' or '\u0085';

    /// <summary>White space, including the zero-width space and the byte-order mark.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is '\u200B' or '\uFEFF';

    /// <summary>Han, kana, Hangul and CJK compatibility characters (a high surrogate of planes 2–3 counts as Han).</summary>
    public static bool IsCjk(char c) =>
        c is (>= '\u2E80' and <= '\u2FDF') or (>= '\u3040' and <= '\u31FF') or (>= '\u3400' and <= '\u4DBF')
            or (>= '\u4E00' and <= '\u9FFF') or (>= '\uA960' and <= '\uA97F') or (>= '\uAC00' and <= '\uD7AF')
            or (>= '\uF900' and <= '\uFAFF') or (>= '\uFF66' and <= '\uFF9D') or (>= '\uD840' and <= '\uD8BF');

    /// <summary>Closing quotes and brackets that stay with the sentence they follow.</summary>
    public static bool IsCloser(char c) =>
        c is '"' or '\'' or '\u201D' or '\u2019' or '\u00BB' or '\u203A' or ')' or ']' or '}' or '\uFF09' or '\u3011'
            or '\u300D' or '\u300F' or '\u3015' or '\u3009' or '\u300B' or '\u3017' or '\uFF3D';

    /// <summary>Splits <c>text[start..end]</c> into trimmed, non-empty sentence ranges (absolute offsets).</summary>
    public static void Split(ReadOnlySpan<char> text, int start, int end, List<TextRange> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, text.Length);
        var pos = start;
        while (pos < end)
        {
            while (pos < end && IsSpace(text[pos]))
            {
                pos++;
            }
            if (pos >= end)
            {
                break;
            }
            var sentenceEnd = NextSentenceEnd(text, pos, end);
            var trimmedEnd = sentenceEnd;
            while (trimmedEnd > pos && IsSpace(text[trimmedEnd - 1]))
            {
                trimmedEnd--;
            }
            sentences.Add(new TextRange(pos, trimmedEnd));
            pos = sentenceEnd;
        }
    }

    /// <summary>Splits a whole text into trimmed, non-empty sentence ranges.</summary>
    public static IReadOnlyList<TextRange> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sentences = new List<TextRange>();
        Split(text, 0, text.Length, sentences);
        return sentences;
    }

    /// <summary>
    /// The exclusive end of the sentence that starts at <paramref name="from"/>: just after its terminators and closers,
    /// at a line break, or <paramref name="limit"/> when no boundary comes first.
    /// </summary>
    public static int NextSentenceEnd(ReadOnlySpan<char> text, int from, int limit)
    {
        var pos = from;
        while (pos < limit)
        {
            var found = text[pos..limit].IndexOfAny(s_terminatorsAndBreaks);
            if (found < 0)
            {
                return limit;
            }
            var i = pos + found;
            if (IsLineBreak(text[i]))
            {
                return i;
            }
            var runEnd = i + 1;
            while (runEnd < limit && IsTerminator(text[runEnd]))
            {
                runEnd++;
            }
            var closed = runEnd;
            while (closed < limit && IsCloser(text[closed]))
            {
                closed++;
            }
            if (IsSentenceEnd(text, i, runEnd))
            {
                return closed;
            }
            pos = runEnd;
        }
        return limit;
    }

    /// <summary>Clause ranges (split after commas) of <c>text[start..end]</c>, trimmed and non-empty.</summary>
    public static void SplitClauses(ReadOnlySpan<char> text, int start, int end, List<TextRange> clauses)
    {
        ArgumentNullException.ThrowIfNull(clauses);
        var pieceStart = start;
        var pos = start;
        while (pos < end)
        {
            var found = text[pos..end].IndexOfAny(s_clauseSeparators);
            if (found < 0)
            {
                break;
            }
            var i = pos + found;
            var after = i + 1;
            // A Latin comma splits only before a space ("1,000" and "a,b" stay whole); the others always split.
            if (text[i] != ',' || after >= end || IsSpace(text[after]))
            {
                AddTrimmed(text, pieceStart, after, clauses);
                pieceStart = after;
            }
            pos = after;
        }
        AddTrimmed(text, pieceStart, end, clauses);
    }

    internal static void AddTrimmed(ReadOnlySpan<char> text, int start, int end, List<TextRange> ranges)
    {
        while (start < end && IsSpace(text[start]))
        {
            start++;
        }
        while (end > start && IsSpace(text[end - 1]))
        {
            end--;
        }
        if (end > start)
        {
            ranges.Add(new TextRange(start, end));
        }
    }

    private static bool IsAlwaysTerminator(char c) =>
        c is '\u061F' or '\u061B' or '\u06D4' or '\u3002' or '\uFF01' or '\uFF1F' or '\uFF1B' or '\uFF0E' or '\uFF61';

    private static bool IsOpeningBracket(char c) => c is '[' or '\uFF3B' or '\u3010';

    /// <summary>Letters of scripts with upper and lower case (Latin, Greek, Cyrillic): these are written with a space after a period.</summary>
    private static bool IsCasedScriptLetter(char c) => c < '\u0530' && char.IsLetter(c);

    /// <summary>Decides whether the terminator run <c>text[runStart..runEnd]</c> ends a sentence.</summary>
    private static bool IsSentenceEnd(ReadOnlySpan<char> text, int runStart, int runEnd)
    {
        for (var k = runStart; k < runEnd; k++)
        {
            if (IsAlwaysTerminator(text[k]))
            {
                return true;
            }
        }
        var next = runEnd;
        while (next < text.Length && IsCloser(text[next]))
        {
            next++;
        }
        if (next >= text.Length)
        {
            return true;
        }
        var following = text[next];
        var onlyPeriods = true;
        for (var k = runStart; k < runEnd; k++)
        {
            if (text[k] is not ('.' or '\u2026'))
            {
                onlyPeriods = false;
                break;
            }
        }
        if (IsSpace(following))
        {
            return !onlyPeriods || next > runEnd || IsPeriodSentenceEnd(text, runStart, next);
        }
        if (IsOpeningBracket(following))
        {
            return true;
        }
        if (char.IsLetter(following))
        {
            // "example.com", "U.S" stay whole; scraped Arabic ("للبشرية.وأكد") often omits the space after a period.
            var previous = runStart > 0 ? text[runStart - 1] : ' ';
            return !IsCasedScriptLetter(following) && !IsCasedScriptLetter(previous) && !IsCjk(following);
        }
        return false;
    }

    /// <summary>"1." to "999." at the start of a line: a list number, not a sentence.</summary>
    private static bool IsListEnumerator(ReadOnlySpan<char> text, int period)
    {
        var digitsStart = period;
        while (digitsStart > 0 && char.IsDigit(text[digitsStart - 1]))
        {
            digitsStart--;
        }
        if (period - digitsStart is < 1 or > 3)
        {
            return false;
        }
        var before = digitsStart;
        while (before > 0 && IsSpace(text[before - 1]) && !IsLineBreak(text[before - 1]))
        {
            before--;
        }
        return before == 0 || IsLineBreak(text[before - 1]);
    }

    /// <summary>A run of periods followed by white space at <paramref name="afterRun"/>: rules out decimals, initials and abbreviations.</summary>
    private static bool IsPeriodSentenceEnd(ReadOnlySpan<char> text, int runStart, int afterRun)
    {
        var nextWord = afterRun;
        while (nextWord < text.Length && IsSpace(text[nextWord]))
        {
            if (IsLineBreak(text[nextWord]))
            {
                return true;
            }
            nextWord++;
        }
        if (nextWord >= text.Length)
        {
            return true;
        }
        var first = text[nextWord];
        if (first is >= 'a' and <= 'z')
        {
            return false;
        }
        var wordStart = runStart;
        while (wordStart > 0 && runStart - wordStart <= 6 && char.IsLetter(text[wordStart - 1]))
        {
            wordStart--;
        }
        var word = text[wordStart..runStart];
        if (word.Length == 1)
        {
            // Dotted abbreviations ("U.S.", "e.g.") and initials before a name ("J. Smith", Arabic "د. محمد");
            // "X is Y. [1]" still ends.
            return !(wordStart > 0 && text[wordStart - 1] == '.') && !char.IsLetter(first);
        }
        if (word.Length == 0)
        {
            return !IsListEnumerator(text, runStart);
        }
        if (word.Length > 6)
        {
            return true;
        }
        foreach (var abbreviation in s_titleAbbreviations)
        {
            if (word.SequenceEqual(abbreviation))
            {
                return false;
            }
        }
        if (char.IsDigit(first))
        {
            foreach (var abbreviation in s_numberAbbreviations)
            {
                if (word.SequenceEqual(abbreviation))
                {
                    return false;
                }
            }
        }
        return true;
    }
}

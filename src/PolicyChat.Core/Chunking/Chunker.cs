using System.Buffers;
using Microsoft.ML.Tokenizers;
using PolicyChat.Core.Documents;

namespace PolicyChat.Core.Chunking;

/// <summary>
/// Sizes for <see cref="Chunker"/>, in tokens of the configured tokenizer (o200k unless <c>Tokenizer:Path</c> names
/// another). <see cref="TargetChars"/> / <see cref="MaxChars"/> are the old character sizes, used only when
/// <see cref="TargetTokens"/> is 0 (a migration fallback, see the README) and for telling headings from body text.
/// </summary>
public sealed record ChunkingOptions
{
    /// <summary>Paragraphs are packed into a chunk while it stays within this many tokens; 0 sizes chunks in characters.</summary>
    public int TargetTokens { get; init; } = 280;

    /// <summary>Hard limit in tokens (capped by the embedder's input limit): a longer paragraph is split into sentences, clauses, words (or CJK characters).</summary>
    public int MaxTokens { get; init; } = 420;

    /// <summary>With <see cref="TargetTokens"/> 0 only: paragraphs are packed into a chunk while it stays within this many characters.</summary>
    public int TargetChars { get; init; } = 1000;

    /// <summary>With <see cref="TargetTokens"/> 0 only: the hard limit in characters. Always: a longer "heading" is body text.</summary>
    public int MaxChars { get; init; } = 1500;

    /// <summary>Sentences repeated at the start of the next chunk of the same section; 0 disables overlap.</summary>
    public int OverlapSentences { get; init; } = 1;
}

/// <summary>A chunk: Text == documentText[Start..End]. Heading is the nearest heading above it, if any.</summary>
public sealed record TextChunk(int Ordinal, int Start, int End, string Text, string? Heading);

/// <summary>
/// Structure-aware chunker for Arabic, English and Chinese text.
/// </summary>
/// <remarks>
/// <para>Order of decisions: a heading (from the reader, or detected in plain text) starts a new chunk and belongs to the
/// chunk that follows it; paragraphs (lines) are packed greedily while the chunk stays within
/// <see cref="ChunkingOptions.TargetChars"/>; a paragraph longer than <see cref="ChunkingOptions.MaxChars"/> is split
/// into sentences (<see cref="SentenceBoundaries"/>), an over-long sentence at commas, then at white space, and a CJK
/// run without spaces at character boundaries (never inside a surrogate pair). A single token longer than MaxChars
/// (a URL, say) is kept whole.</para>
/// <para>Overlap: the next chunk of the same section starts with the last
/// <see cref="ChunkingOptions.OverlapSentences"/> sentence(s) of the previous chunk when they are shorter than half
/// the target; chunks never overlap across a heading.</para>
/// <para>Every chunk satisfies <c>text[Start..End] == Text</c>, is non-empty and starts and ends at non-white-space.</para>
/// </remarks>
public sealed class Chunker
{
    /// <summary>A plain-text line longer than this is never taken for a heading.</summary>
    public const int MaxHeadingChars = 100;

    private const int SentenceLevel = 1;
    private const int ClauseLevel = 2;
    private const int WordLevel = 3;
    private const int CharacterLevel = 4;

    private static readonly SearchValues<char> s_lineBreaks = SearchValues.Create("\n\r\u2028\u2029\u0085");

    private readonly Tokenizer? _tokenizer;

    /// <param name="tokenizer">Measures chunks when <see cref="ChunkingOptions.TargetTokens"/> is set; null: o200k.</param>
    /// <param name="maxInputTokens">The embedder's input limit (<c>Embedding:MaxInputTokens</c>); caps MaxTokens, keeping room for the title.</param>
    public Chunker(ChunkingOptions options, Tokenizer? tokenizer = null, int? maxInputTokens = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TargetTokens > 0)
        {
            tokenizer ??= Tokens.TokenizerFactory.Default;
            if (options.MaxTokens < options.TargetTokens)
            {
                throw new ArgumentException($"{nameof(ChunkingOptions.MaxTokens)} ({options.MaxTokens}) must be at least {nameof(ChunkingOptions.TargetTokens)} ({options.TargetTokens}).", nameof(options));
            }
            _tokenizer = tokenizer;
            var max = maxInputTokens is { } limit ? Math.Min(options.MaxTokens, limit - TitleTokens) : options.MaxTokens;
            options = options with { MaxTokens = max, TargetTokens = Math.Min(options.TargetTokens, max) };
        }
        if (options.TargetChars < 1)
        {
            throw new ArgumentException($"{nameof(ChunkingOptions.TargetChars)} must be at least 1 (got {options.TargetChars}).", nameof(options));
        }
        if (options.MaxChars < options.TargetChars)
        {
            throw new ArgumentException(
                $"{nameof(ChunkingOptions.MaxChars)} ({options.MaxChars}) must be at least {nameof(ChunkingOptions.TargetChars)} ({options.TargetChars}).",
                nameof(options));
        }
        if (options.OverlapSentences < 0)
        {
            throw new ArgumentException($"{nameof(ChunkingOptions.OverlapSentences)} must not be negative (got {options.OverlapSentences}).", nameof(options));
        }
        Options = options;
    }

    public ChunkingOptions Options { get; }

    /// <summary>Tokens kept free for the document title the embedder puts before each chunk.</summary>
    public const int TitleTokens = 64;

    /// <summary>True when chunks are sized in tokens.</summary>
    public bool CountsTokens => _tokenizer is not null;

    /// <summary>Splits text; <paramref name="headings"/> comes from the reader (null: detect headings heuristically in plain text).</summary>
    public IReadOnlyList<TextChunk> Split(string text, IReadOnlyList<HeadingSpan>? headings = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var units = headings is null ? DetectUnits(text, Options.MaxChars) : UnitsFromHeadings(text, headings, Options.MaxChars);
        var builder = new ChunkBuilder(text, Options, _tokenizer);
        foreach (var unit in units)
        {
            if (unit.IsHeading)
            {
                builder.AddHeading(unit.Start, unit.End);
            }
            else
            {
                builder.AddBody(unit.Start, unit.End);
            }
        }
        return builder.Finish();
    }

    /// <summary>
    /// Approximate token count of a BPE tokenizer without a tokenizer (none is available as a package here).
    /// </summary>
    /// <remarks>
    /// Heuristic, per character class, summed and rounded up:
    /// <list type="bullet">
    /// <item>Latin (and other cased-script) words: 1.3 tokens per word (the usual "0.75 words per token" rule of English BPE);
    /// an apostrophe or hyphen after a letter stays inside the word.</item>
    /// <item>Arabic-script letters and marks: 1 token per 3 letters (BPE vocabularies split an average 5-letter Arabic word
    /// into about 2 tokens).</item>
    /// <item>CJK ideographs, kana and Hangul: 1 token per character.</item>
    /// <item>Digits: 1 token per 3 digits of a run (tokenizers group digits in threes).</item>
    /// <item>Punctuation: 1 token per 2 marks; other symbols (emoji, math): 1 token each.</item>
    /// </list>
    /// Each character's contribution depends only on the characters before it, so appending text never lowers the count.
    /// Expect ±30 % against a real tokenizer: good for budgeting a prompt, not for hard limits.
    /// </remarks>
    public static int ApproximateTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ApproximateTokens(text.AsSpan());
    }

    /// <inheritdoc cref="ApproximateTokens(string)"/>
    public static int ApproximateTokens(ReadOnlySpan<char> text)
    {
        const double TokensPerWord = 1.3;
        const double TokensPerArabicLetter = 1.0 / 3.0;
        const double TokensPerPunctuation = 0.5;

        var words = 0;
        var arabicLetters = 0;
        var cjk = 0;
        var digitTokens = 0;
        var punctuation = 0;
        var symbols = 0;
        var inWord = false;
        var digitRun = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsDigit(c))
            {
                if (digitRun % 3 == 0)
                {
                    digitTokens++;
                }
                digitRun++;
                inWord = false;
                continue;
            }
            digitRun = 0;
            if (SentenceBoundaries.IsSpace(c))
            {
                inWord = false;
            }
            else if (SentenceBoundaries.IsCjk(c))
            {
                cjk++;
                inWord = false;
            }
            else if (char.IsLowSurrogate(c))
            {
                // Counted with its high surrogate.
            }
            else if (IsArabicScript(c) && (char.IsLetter(c) || IsMark(c)))
            {
                arabicLetters++;
                inWord = false;
            }
            else if (char.IsLetter(c) || (inWord && (IsMark(c) || c is '\'' or '\u2019' or '-')))
            {
                if (!inWord)
                {
                    words++;
                    inWord = true;
                }
            }
            else if (char.IsPunctuation(c))
            {
                punctuation++;
                inWord = false;
            }
            else
            {
                symbols++;
                inWord = false;
            }
        }
        var total = (words * TokensPerWord) + (arabicLetters * TokensPerArabicLetter) + cjk + digitTokens
            + (punctuation * TokensPerPunctuation) + symbols;
        return (int)Math.Ceiling(total - 1e-9);
    }

    private static bool IsArabicScript(char c) =>
        c is (>= '\u0600' and <= '\u06FF') or (>= '\u0750' and <= '\u077F') or (>= '\u08A0' and <= '\u08FF')
            or (>= '\uFB50' and <= '\uFDFF') or (>= '\uFE70' and <= '\uFEFF');

    private static bool IsMark(char c) => char.GetUnicodeCategory(c) is
        System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark
        or System.Globalization.UnicodeCategory.EnclosingMark;

    private readonly record struct Unit(int Start, int End, bool IsHeading, bool AfterBlankLine);

    private readonly record struct Piece(int Start, int End, int Level)
    {
        public int Length => End - Start;
    }

    private enum ChunkState { None, HeadingOnly, OverlapOnly, HasBody }

    /// <summary>Lines of <c>text[from..to]</c>, trimmed, without blank ones.</summary>
    private static void AddLines(string text, int from, int to, List<Unit> units)
    {
        var span = text.AsSpan();
        var pos = from;
        var afterBlank = true;
        while (pos < to)
        {
            var found = span[pos..to].IndexOfAny(s_lineBreaks);
            var lineEnd = found < 0 ? to : pos + found;
            var start = pos;
            var end = lineEnd;
            while (start < end && SentenceBoundaries.IsSpace(span[start]))
            {
                start++;
            }
            while (end > start && SentenceBoundaries.IsSpace(span[end - 1]))
            {
                end--;
            }
            if (end > start)
            {
                units.Add(new Unit(start, end, false, afterBlank));
                afterBlank = false;
            }
            else if (found >= 0)
            {
                afterBlank = true;
            }
            if (found < 0)
            {
                break;
            }
            // "\r\n" is one line break.
            pos = lineEnd + (span[lineEnd] == '\r' && lineEnd + 1 < to && span[lineEnd + 1] == '\n' ? 2 : 1);
        }
    }

    /// <summary>Units from the reader's headings; a "heading" longer than MaxChars is treated as body text.</summary>
    private static List<Unit> UnitsFromHeadings(string text, IReadOnlyList<HeadingSpan> headings, int maxChars)
    {
        var sorted = headings.Where(h => h is not null).OrderBy(h => h.Start).ThenBy(h => h.End).ToList();
        var units = new List<Unit>();
        var pos = 0;
        foreach (var heading in sorted)
        {
            if (heading.Start < 0 || heading.End > text.Length || heading.End <= heading.Start)
            {
                continue;
            }
            var start = heading.Start;
            var end = heading.End;
            while (start < end && SentenceBoundaries.IsSpace(text[start]))
            {
                start++;
            }
            while (end > start && SentenceBoundaries.IsSpace(text[end - 1]))
            {
                end--;
            }
            if (end <= start || start < pos || end - start > maxChars)
            {
                continue;
            }
            AddLines(text, pos, start, units);
            units.Add(new Unit(start, end, true, true));
            pos = end;
        }
        AddLines(text, pos, text.Length, units);
        return units;
    }

    private static List<Unit> DetectUnits(string text, int maxChars)
    {
        var units = new List<Unit>();
        AddLines(text, 0, text.Length, units);
        if (units.Count < 2)
        {
            return units;
        }
        var candidate = new bool[units.Count];
        for (var i = 0; i < units.Count; i++)
        {
            candidate[i] = units[i].End - units[i].Start <= maxChars && IsHeadingCandidate(text.AsSpan(units[i].Start, units[i].End - units[i].Start));
        }
        for (var i = 0; i < units.Count - 1; i++)
        {
            var line = text.AsSpan(units[i].Start, units[i].End - units[i].Start);
            var isMarkdown = line.Length > 2 && line[0] == '#' && line.TrimStart('#').Length > 0 && line.TrimStart('#')[0] == ' ';
            if ((isMarkdown && line.Length <= maxChars) || (candidate[i] && !candidate[i + 1] && StartsParagraph(text, units, i) && !StartsLowercase(text[units[i + 1].Start])))
            {
                units[i] = units[i] with { IsHeading = true };
            }
        }
        return units;
    }

    /// <summary>A heading is not the middle of a hard-wrapped paragraph: it follows a blank line, the start, or a finished sentence.</summary>
    private static bool StartsParagraph(string text, List<Unit> units, int index)
    {
        if (index == 0 || units[index].AfterBlankLine || units[index - 1].IsHeading)
        {
            return true;
        }
        var last = LastMeaningfulChar(text.AsSpan(units[index - 1].Start, units[index - 1].End - units[index - 1].Start));
        return SentenceBoundaries.IsTerminator(last) || last is ':' or '\uFF1A';
    }

    private static bool StartsLowercase(char c) => c is >= 'a' and <= 'z';

    private static char LastMeaningfulChar(ReadOnlySpan<char> line)
    {
        var end = line.Length;
        while (end > 1 && SentenceBoundaries.IsCloser(line[end - 1]))
        {
            end--;
        }
        return line[end - 1];
    }

    /// <summary>A short line with a letter, not a list item, not ending like a sentence or a lead-in.</summary>
    private static bool IsHeadingCandidate(ReadOnlySpan<char> line)
    {
        if (line.Length > MaxHeadingChars || line[0] is '-' or '\u2022' or '*' or '\u00B7' or '\u2013' or '\u2014' or '\u25AA' or '\u25CF' or '>')
        {
            return false;
        }
        var last = LastMeaningfulChar(line);
        if (SentenceBoundaries.IsTerminator(last) || SentenceBoundaries.IsClauseSeparator(last) || last is ':' or '\uFF1A')
        {
            return false;
        }
        foreach (var c in line)
        {
            if (char.IsLetter(c) || SentenceBoundaries.IsCjk(c))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Greedy packing of pieces into chunks; one instance per Split call.</summary>
    private sealed class ChunkBuilder(string text, ChunkingOptions options, Tokenizer? tokenizer)
    {
        /// <summary>How far above a limit a sum of token counts may be and still need the whole text counted.</summary>
        private const int JoinSlack = 2;

        private readonly string _text = text;
        private readonly int _target = tokenizer is null ? options.TargetChars : options.TargetTokens;
        private readonly int _max = tokenizer is null ? options.MaxChars : options.MaxTokens;
        private readonly int _overlapSentences = options.OverlapSentences;
        private readonly List<TextChunk> _chunks = [];
        private readonly Stack<Piece> _pending = new();
        private (int Start, int End, int Tokens) _counted = (-1, -1, 0);
        private readonly List<TextRange> _scratch = [];
        private string? _heading;
        private string? _chunkHeading;
        private ChunkState _state;
        private int _start;
        private int _end;
        private int _bodyStart;

        public void AddHeading(int start, int end)
        {
            _heading = HeadingText(_text.AsSpan(start, end - start));
            switch (_state)
            {
                case ChunkState.HeadingOnly when Within(_start, end, _max):
                    // Consecutive headings open one chunk together; the nearest one names it.
                    _end = end;
                    _chunkHeading = _heading;
                    return;
                case ChunkState.HeadingOnly or ChunkState.HasBody:
                    Emit();
                    break;
            }
            _state = ChunkState.HeadingOnly;
            _start = start;
            _end = end;
            _chunkHeading = _heading;
        }

        public void AddBody(int start, int end)
        {
            _pending.Push(new Piece(start, end, 0));
            while (_pending.TryPop(out var piece))
            {
                Place(piece);
            }
        }

        public List<TextChunk> Finish()
        {
            if (_state is ChunkState.HasBody or ChunkState.HeadingOnly)
            {
                Emit();
            }
            _state = ChunkState.None;
            return _chunks;
        }

        private void Place(Piece piece)
        {
            while (true)
            {
                switch (_state)
                {
                    case ChunkState.HasBody:
                        if (Within(_start, piece.End, _target))
                        {
                            _end = piece.End;
                            return;
                        }
                        if (!Within(piece.Start, piece.End, _max) && TrySplit(piece))
                        {
                            return;
                        }
                        var overlapStart = FindOverlapStart();
                        Emit();
                        if (overlapStart >= 0)
                        {
                            _state = ChunkState.OverlapOnly;
                            _bodyStart = _start = overlapStart;
                        }
                        else
                        {
                            _state = ChunkState.None;
                        }
                        continue;
                    case ChunkState.OverlapOnly:
                        if (Within(_start, piece.End, _max))
                        {
                            _end = piece.End;
                            _state = ChunkState.HasBody;
                            return;
                        }
                        if (!Within(piece.Start, piece.End, _max) && TrySplit(piece))
                        {
                            return;
                        }
                        _state = ChunkState.None;
                        continue;
                    case ChunkState.HeadingOnly:
                        if (Within(_start, piece.End, _max))
                        {
                            _end = piece.End;
                            _bodyStart = piece.Start;
                            _state = ChunkState.HasBody;
                            return;
                        }
                        if (TrySplit(piece))
                        {
                            return;
                        }
                        // Not even the smallest part fits beside the heading: the heading stands alone.
                        Emit();
                        _state = ChunkState.None;
                        continue;
                    default:
                        if (Within(piece.Start, piece.End, _max) || !TrySplit(piece))
                        {
                            _start = _bodyStart = piece.Start;
                            _end = piece.End;
                            _chunkHeading = _heading;
                            _state = ChunkState.HasBody;
                        }
                        return;
                }
            }
        }

        /// <summary>Splits a piece at the next finer level that divides it; pushes the parts in order.</summary>
        private bool TrySplit(Piece piece)
        {
            for (var level = piece.Level + 1; level <= CharacterLevel; level++)
            {
                _scratch.Clear();
                switch (level)
                {
                    case SentenceLevel:
                        SentenceBoundaries.Split(_text, piece.Start, piece.End, _scratch);
                        break;
                    case ClauseLevel:
                        SentenceBoundaries.SplitClauses(_text, piece.Start, piece.End, _scratch);
                        break;
                    case WordLevel:
                        SplitWords(_text, piece.Start, piece.End, _scratch);
                        break;
                    default:
                        SplitCharacters(_text, piece.Start, piece.End, _scratch);
                        break;
                }
                if (_scratch.Count > 1)
                {
                    for (var i = _scratch.Count - 1; i >= 0; i--)
                    {
                        _pending.Push(new Piece(_scratch[i].Start, _scratch[i].End, level));
                    }
                    return true;
                }
            }
            return false;
        }

        /// <summary>Start of the last N sentences of the open chunk's body, or -1 when none qualify.</summary>
        private int FindOverlapStart()
        {
            if (_overlapSentences == 0)
            {
                return -1;
            }
            // In tokens the window is found in characters first (a token is at least one character in the usual case,
            // so four characters a token is generous) and checked in tokens below.
            var windowStart = Math.Max(_bodyStart, _end - (tokenizer is null ? _target / 2 : _target * 2) + 1);
            if (windowStart >= _end)
            {
                return -1;
            }
            _scratch.Clear();
            SentenceBoundaries.Split(_text, windowStart, _end, _scratch);
            // The first range may be the tail of a sentence that began before the window.
            var first = windowStart > _bodyStart ? 1 : 0;
            var index = _scratch.Count - _overlapSentences;
            if (index < first)
            {
                return -1;
            }
            var start = _scratch[index].Start;
            return start > _bodyStart && start > _start && (tokenizer is null || Within(start, _end, (_target / 2) - 1)) ? start : -1;
        }

        /// <summary>
        /// Whether text[start..end] is at most <paramref name="limit"/> characters, or tokens. A chunk grows piece by
        /// piece from one start, so its count is kept and only the new part is counted: counts add up where the parts
        /// meet at white space, but for a token where punctuation and a line break merge, so the sum can only be a
        /// little high; the whole text is counted only when that sum is within <see cref="JoinSlack"/> above the limit.
        /// </summary>
        private bool Within(int start, int end, int limit)
        {
            if (tokenizer is null)
            {
                return end - start <= limit;
            }
            var count = -1;
            if (_counted.Start == start && _counted.End == end)
            {
                count = _counted.Tokens;
            }
            else if (_counted.Start == start && _counted.End < end)
            {
                var sum = _counted.Tokens + Count(_counted.End, end);
                count = sum <= limit || sum > limit + JoinSlack ? sum : -1;
            }
            if (count < 0)
            {
                count = Count(start, end);
            }
            _counted = (start, end, count);
            return count <= limit;
        }

        private int Count(int start, int end) => tokenizer!.CountTokens(_text.AsSpan(start, end - start));

        private void Emit() =>
            _chunks.Add(new TextChunk(_chunks.Count, _start, _end, _text[_start.._end], _chunkHeading));

        /// <summary>The heading's name: white space collapsed, a Markdown "#" marker removed.</summary>
        private static string HeadingText(ReadOnlySpan<char> span)
        {
            var unmarked = span.TrimStart('#').TrimStart();
            if (unmarked.Length > 0 && unmarked.Length < span.Length && span[span.Length - unmarked.Length - 1] is ' ' or '\t')
            {
                span = unmarked;
            }
            if (span.IndexOfAny(s_lineBreaks) < 0 && span.IndexOf('\t') < 0)
            {
                return span.ToString();
            }
            return string.Join(' ', span.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        }

        private static void SplitWords(ReadOnlySpan<char> text, int start, int end, List<TextRange> words)
        {
            var pos = start;
            while (pos < end)
            {
                while (pos < end && SentenceBoundaries.IsSpace(text[pos]))
                {
                    pos++;
                }
                var wordStart = pos;
                while (pos < end && !SentenceBoundaries.IsSpace(text[pos]))
                {
                    pos++;
                }
                if (pos > wordStart)
                {
                    words.Add(new TextRange(wordStart, pos));
                }
            }
        }

        /// <summary>Breaks a run without spaces next to each CJK character; never inside a surrogate pair or before a combining mark.</summary>
        private static void SplitCharacters(ReadOnlySpan<char> text, int start, int end, List<TextRange> parts)
        {
            var partStart = start;
            for (var j = start + 1; j < end; j++)
            {
                var c = text[j];
                if (char.IsLowSurrogate(c) || IsMark(c) || c is '\u200D' or '\u200C' || text[j - 1] is '\u200D' || (c >= '\uFE00' && c <= '\uFE0F'))
                {
                    continue;
                }
                var previous = char.IsLowSurrogate(text[j - 1]) && j - 2 >= start ? text[j - 2] : text[j - 1];
                if (IsCjkOrCjkPunctuation(previous) || IsCjkOrCjkPunctuation(c))
                {
                    SentenceBoundaries.AddTrimmed(text, partStart, j, parts);
                    partStart = j;
                }
            }
            SentenceBoundaries.AddTrimmed(text, partStart, end, parts);
        }

        private static bool IsCjkOrCjkPunctuation(char c) =>
            SentenceBoundaries.IsCjk(c) || c is (>= '\u3000' and <= '\u303F') or (>= '\uFF00' and <= '\uFF0F') or (>= '\uFF1A' and <= '\uFF20');
    }
}

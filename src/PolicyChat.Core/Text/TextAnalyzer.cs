using System.Buffers;
using System.Runtime.CompilerServices;

namespace PolicyChat.Core.Text;

/// <summary>Analyzer settings. Validated when a <see cref="TextAnalyzer"/> is created.</summary>
public sealed record TextAnalyzerOptions
{
    /// <summary>Minimum length of an Arabic stem after affix removal.</summary>
    public int MinArabicStemLength { get; init; } = 2;
    /// <summary>Character n-gram sizes for the n-gram index.</summary>
    public int NGramMin { get; init; } = 3;
    public int NGramMax { get; init; } = 4;
}

/// <summary>
/// Word terms and character n-grams of one text, produced in a single pass, with the grams' compact
/// <see cref="Text.NGramSource"/> (expands to exactly <see cref="CharNGrams"/>).
/// </summary>
public sealed record IndexTerms(IReadOnlyList<string> Terms, IReadOnlyList<string> CharNGrams, string NGramSource = "");

/// <summary>
/// The single analyzer used identically at indexing and at query time. Immutable and thread-safe.
/// <para>
/// Pipeline: tokenization on the ORIGINAL text (word runs of letters, marks and digits, with apostrophes inside Latin
/// words and separators inside numbers; CJK runs apart), then per token the normalization chain of
/// <see cref="TextNormalizer"/>, the stop-word check on the normalized unstemmed form, and stemming
/// (<see cref="EnglishStemmer"/> for ASCII words, <see cref="ArabicLightStemmer"/> for Arabic words, thousands
/// separators dropped from numbers; CJK runs become <see cref="CjkBigrams"/>).
/// </para>
/// </summary>
public sealed class TextAnalyzer
{
    private const int StackBufferLength = 128;

    public TextAnalyzer(TextAnalyzerOptions? options = null)
    {
        options ??= new TextAnalyzerOptions();
        if (options.MinArabicStemLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MinArabicStemLength,
                "TextAnalyzerOptions.MinArabicStemLength must be at least 1.");
        }
        if (options.NGramMin < 1 || options.NGramMax < options.NGramMin)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"{options.NGramMin}..{options.NGramMax}",
                "TextAnalyzerOptions.NGramMin must be at least 1 and NGramMax at least NGramMin.");
        }
        Options = options;
    }

    /// <summary>
    /// The version of what text analyzes to. Indexes record it with the terms they store: an embedded index analyzes its
    /// chunks again when it differs, and a Qdrant collection written by another version is reported at start-up. Bump it
    /// with any change that alters the terms or n-grams of some text. 2: a final alef after ي takes the ي too (روسيا → روس).
    /// </summary>
    public const int Version = 2;

    public static TextAnalyzer Default { get; } = new();

    public TextAnalyzerOptions Options { get; }

    /// <summary>Normalization only (no stemming, no stop-word removal): NFKC, diacritics, tatweel, letter forms, digits, case.</summary>
#pragma warning disable CA1822 // Instance member by contract: callers hold an analyzer, and options may one day affect normalization.
    public string Normalize(string text) => TextNormalizer.Normalize(text);
#pragma warning restore CA1822

    /// <summary>Tokens with offsets into <paramref name="text"/>, normalized and stemmed; stop words flagged.</summary>
    public IReadOnlyList<AnalyzedToken> Tokenize(string text)
    {
        var sink = new TokenListSink(new List<AnalyzedToken>(EstimateTokens(text)));
        Run(text, ref sink);
        return sink.Tokens;
    }

    /// <summary>Word-index terms: normalized, stemmed, stop words removed; CJK runs as character bigrams.</summary>
    public IReadOnlyList<string> Terms(string text)
    {
        var sink = new TermSink(new List<string>(EstimateTokens(text)));
        Run(text, ref sink);
        return sink.Terms;
    }

    /// <summary>Character n-grams of the normalized (unstemmed) non-stop words, for the morphology-robust index.</summary>
    public IReadOnlyList<string> CharNGrams(string text)
    {
        var sink = new NGramSink(new List<string>(EstimateTokens(text) * 4), Options);
        Run(text, ref sink);
        return sink.NGrams;
    }

    /// <summary>Same as <see cref="Terms"/> and <see cref="CharNGrams"/> together, in one pass over the text.</summary>
    public IndexTerms AnalyzeForIndex(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var terms = new TermSink(new List<string>(EstimateTokens(text)));
        var source = new System.Text.StringBuilder(text.Length + 16);
        var sink = new IndexSink(terms, new NGramSink(new List<string>(EstimateTokens(text) * 4), Options, source));
        Run(text, ref sink);
        return new IndexTerms(sink.Terms.Terms, sink.NGrams.NGrams, source.ToString());
    }

    /// <summary>Tokens together with their normalized, unstemmed form (for tests and diagnostics).</summary>
    internal IReadOnlyList<(AnalyzedToken Token, string Normalized)> TokenizeWithNormalized(string text)
    {
        var sink = new DiagnosticSink([]);
        Run(text, ref sink);
        return sink.Tokens;
    }

    private static int EstimateTokens(string text) => text is null ? 0 : (text.Length / 6) + 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: skip tier-0 code (short CLI ingestion runs)
    internal void Run<TSink>(string text, ref TSink sink)
        where TSink : struct, ITokenSink
    {
        ArgumentNullException.ThrowIfNull(text);
        ReadOnlySpan<char> span = text;
        Span<char> normBuffer = stackalloc char[StackBufferLength];
        Span<char> stemBuffer = stackalloc char[StackBufferLength];
        int i = 0;
        while (i < span.Length)
        {
            CharKind kind = CharClass.Classify(span, i, out int width);
            if (kind == CharKind.Cjk)
            {
                int runStart = i;
                i += width;
                while (i < span.Length && CharClass.Classify(span, i, out width) == CharKind.Cjk)
                {
                    i += width;
                }
                EmitCjkRun(span, runStart, i - runStart, ref sink, normBuffer);
                continue;
            }
            if (!CharClass.IsWordKind(kind))
            {
                i += width;
                continue;
            }
            int start = i;
            int script = kind == CharKind.Letter ? ScriptAt(span, i) : 0;
            i = ScanWord(span, i + width, script, lastWasDigit: kind == CharKind.Digit);
            ProcessWord(span, start, i - start, ref sink, normBuffer, stemBuffer);
        }
    }

    private const int ArabicScript = 1;
    private const int OtherScript = 2;

    // Script of the letter at index: Arabic or any other.
    private static int ScriptAt(ReadOnlySpan<char> text, int index) => CharClass.IsArabicBlock(text[index]) ? ArabicScript : OtherScript;

    /// <summary>
    /// Returns the end of the word that continues at <paramref name="i"/>. A word ends where the script of its letters
    /// changes (Arabic next to Latin without a space) and between Arabic letters and digits (و2025 → و + 2025,
    /// 2025م → 2025 + م); Latin letters and digits stay together (GPT4, H100).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ScanWord(ReadOnlySpan<char> text, int i, int script, bool lastWasDigit)
    {
        while (i < text.Length)
        {
            switch (CharClass.Classify(text, i, out int width))
            {
                case CharKind.Letter:
                    int letterScript = ScriptAt(text, i);
                    if ((script != 0 && letterScript != script) || (lastWasDigit && letterScript == ArabicScript))
                    {
                        return i;
                    }
                    script = letterScript;
                    lastWasDigit = false;
                    i += width;
                    continue;
                case CharKind.Digit:
                    if (script == ArabicScript && !lastWasDigit)
                    {
                        return i;
                    }
                    lastWasDigit = true;
                    i += width;
                    continue;
                case CharKind.Mark:
                    i += width;
                    continue;
                case CharKind.Format:
                    // Invisible joiners, bidi marks, soft hyphens stay inside a word, never at its end.
                    if (i + width < text.Length && CharClass.IsWordKind(CharClass.Classify(text, i + width, out _)))
                    {
                        i += width;
                        continue;
                    }
                    return i;
                case CharKind.Separator:
                    char c = text[i];
                    if ((CharClass.IsApostrophe(c) && CharClass.IsLatinLetterAt(text, i - 1) && CharClass.IsLatinLetterAt(text, i + 1))
                        || (CharClass.IsNumberSeparator(c) && CharClass.IsDigitAt(text, i - 1) && CharClass.IsDigitAt(text, i + 1)))
                    {
                        i++;
                        continue;
                    }
                    return i;
                default:
                    return i;
            }
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ProcessWord<TSink>(ReadOnlySpan<char> text, int start, int length, ref TSink sink, Span<char> normBuffer, Span<char> stemBuffer)
        where TSink : struct, ITokenSink
    {
        ReadOnlySpan<char> compat = UnicodeCompatibility.Apply(text.Slice(start, length), out string? expanded);
        char[]? rented = null;
        Span<char> buffer = compat.Length <= normBuffer.Length ? normBuffer : (rented = ArrayPool<char>.Shared.Rent(compat.Length));
        try
        {
            Span<char> normalized = buffer[..TextNormalizer.Fold(compat, buffer)];
            if (expanded is null)
            {
                EmitWord(normalized, start, length, ref sink, stemBuffer);
                return;
            }

            // NFKC may expand a ligature into several words (ﷺ → صلى الله عليه وسلم): each piece keeps the token's span.
            while (!normalized.IsEmpty)
            {
                int space = normalized.IndexOfAny(SearchValuesCache.WhiteSpace);
                Span<char> piece = space < 0 ? normalized : normalized[..space];
                EmitWord(piece, start, length, ref sink, stemBuffer);
                normalized = space < 0 ? [] : normalized[(space + 1)..];
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EmitWord<TSink>(Span<char> normalized, int start, int length, ref TSink sink, Span<char> stemBuffer)
        where TSink : struct, ITokenSink
    {
        if (normalized.IsEmpty)
        {
            return;
        }

        WordShape shape = ShapeOf(normalized);
        if (shape == WordShape.Number && !normalized.ContainsAnyInRange('0', '9'))
        {
            return; // only marks or other leftovers, no letter and no digit: nothing to index
        }
        bool isStopWord = shape is WordShape.Latin or WordShape.Arabic && StopWords.Contains(normalized);
        ReadOnlySpan<char> term = normalized;
        switch (shape)
        {
            case WordShape.Latin when normalized.Length <= stemBuffer.Length:
                normalized.CopyTo(stemBuffer);
                term = stemBuffer[..EnglishStemmer.Stem(stemBuffer[..normalized.Length])];
                break;
            case WordShape.Arabic:
                term = ArabicLightStemmer.Stem(normalized, Options.MinArabicStemLength);
                break;
            case WordShape.Number when normalized.Length <= stemBuffer.Length && normalized.Contains(','):
                // Thousands separators carry no meaning for matching: 2,500 and 2500 are one term.
                int written = 0;
                foreach (char c in normalized)
                {
                    if (c != ',')
                    {
                        stemBuffer[written++] = c;
                    }
                }
                term = stemBuffer[..written];
                break;
            default:
                break;
        }
        sink.Accept(normalized, term, start, length, isStopWord, shape);
    }

    private static WordShape ShapeOf(ReadOnlySpan<char> normalized)
    {
        bool ascii = true;
        bool arabic = true;
        bool anyLetter = false;
        foreach (char c in normalized)
        {
            if ((uint)(c - 'a') <= 'z' - 'a')
            {
                arabic = false;
                anyLetter = true;
            }
            else if (char.IsLetter(c))
            {
                ascii = false;
                arabic &= CharClass.IsArabicBlock(c);
                anyLetter = true;
            }
            else
            {
                ascii = false;
                arabic = false;
            }
        }
        return !anyLetter ? WordShape.Number : ascii ? WordShape.Latin : arabic ? WordShape.Arabic : WordShape.Mixed;
    }

    private static void EmitCjkRun<TSink>(ReadOnlySpan<char> text, int runStart, int runLength, ref TSink sink, Span<char> normBuffer)
        where TSink : struct, ITokenSink
    {
        foreach ((int start, int length) in CjkBigrams.Enumerate(text, runStart, runLength))
        {
            ReadOnlySpan<char> compat = UnicodeCompatibility.Apply(text.Slice(start, length), out _);
            if (compat.Length > normBuffer.Length)
            {
                continue; // cannot happen for two characters; guards the buffer.
            }
            Span<char> normalized = normBuffer[..TextNormalizer.Fold(compat, normBuffer)];
            // NFKC turns the spacing kana voicing marks ゛゜ into a space and a combining mark; a space inside a term
            // or gram would split it where it is stored (n-gram source, terms column), so it is dropped.
            normalized = normalized[..RemoveWhiteSpace(normalized)];
            if (!normalized.IsEmpty)
            {
                sink.Accept(normalized, normalized, start, length, false, WordShape.Cjk);
            }
        }
    }

    private static int RemoveWhiteSpace(Span<char> text)
    {
        int written = 0;
        foreach (char c in text)
        {
            if (!SearchValuesCache.WhiteSpace.Contains(c))
            {
                text[written++] = c;
            }
        }
        return written;
    }
}

using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace PolicyChat.Core.Text;

/// <summary>What a normalized token is made of; decides which stemmer applies.</summary>
internal enum WordShape : byte
{
    /// <summary>ASCII letters only: Porter stemming.</summary>
    Latin,
    /// <summary>Arabic-script letters only: light stemming.</summary>
    Arabic,
    /// <summary>No letters (digits and number separators).</summary>
    Number,
    /// <summary>Letters and digits or several scripts, or non-ASCII Latin: kept as normalized.</summary>
    Mixed,
    /// <summary>A CJK bigram or single character.</summary>
    Cjk,
}

/// <summary>
/// Receives each analyzed token. <paramref name="normalized"/> and <paramref name="term"/> live in scratch buffers and
/// are valid only during the call. Implemented by structs so the generic pipeline has no virtual calls.
/// </summary>
internal interface ITokenSink
{
    void Accept(ReadOnlySpan<char> normalized, ReadOnlySpan<char> term, int start, int length, bool isStopWord, WordShape shape);
}

internal static class SearchValuesCache
{
    public static readonly SearchValues<char> WhiteSpace = SearchValues.Create(" \t\n\r\u00A0");
}

internal readonly struct TokenListSink(List<AnalyzedToken> tokens) : ITokenSink
{
    public List<AnalyzedToken> Tokens { get; } = tokens;

    public void Accept(ReadOnlySpan<char> normalized, ReadOnlySpan<char> term, int start, int length, bool isStopWord, WordShape shape) =>
        Tokens.Add(new AnalyzedToken(term.ToString(), start, length, isStopWord));
}

internal readonly struct DiagnosticSink(List<(AnalyzedToken Token, string Normalized)> tokens) : ITokenSink
{
    public List<(AnalyzedToken Token, string Normalized)> Tokens { get; } = tokens;

    public void Accept(ReadOnlySpan<char> normalized, ReadOnlySpan<char> term, int start, int length, bool isStopWord, WordShape shape) =>
        Tokens.Add((new AnalyzedToken(term.ToString(), start, length, isStopWord), normalized.ToString()));
}

internal readonly struct TermSink(List<string> terms) : ITokenSink
{
    public List<string> Terms { get; } = terms;

    public void Accept(ReadOnlySpan<char> normalized, ReadOnlySpan<char> term, int start, int length, bool isStopWord, WordShape shape)
    {
        if (!isStopWord)
        {
            Terms.Add(term.ToString());
        }
    }
}

/// <summary>Receives n-grams as spans (valid only during the call), so callers that only count or hash them allocate nothing.</summary>
internal interface IGramOutput
{
    void Add(ReadOnlySpan<char> gram);
}

internal readonly struct GramListOutput(List<string> grams) : IGramOutput
{
    public void Add(ReadOnlySpan<char> gram) => grams.Add(gram.ToString());
}

/// <summary>
/// Character n-grams (sizes NGramMin..NGramMax, by position then size) of each normalized, unstemmed, non-stop word.
/// Arabic words lose a leading definite article first; a word shorter than NGramMin is emitted once; a number is
/// emitted whole (without thousands separators); CJK bigrams are passed through.
/// Alongside the grams it records their compact <see cref="NGramSource"/>, from which the same grams can be expanded
/// again without re-analyzing the text (the embedded index stores the source, not the grams).
/// </summary>
internal readonly struct NGramSink(List<string> nGrams, TextAnalyzerOptions options, StringBuilder? source = null) : ITokenSink
{
    /// <summary>Word boundary inside n-grams: non-ASCII so FTS5's ascii tokenizer keeps it inside the token.</summary>
    public const char Boundary = '\u2581';

    private readonly int _min = options.NGramMin;
    private readonly int _max = options.NGramMax;
    private readonly int _minStem = options.MinArabicStemLength;
    private readonly NGramStream _stream = new();

    public List<string> NGrams { get; } = nGrams;

    public StringBuilder? Source { get; } = source;

    /// <summary>
    /// N-grams run over the stream "▁w1▁w2▁w3▁" of normalized non-stop words (Arabic articles stripped), so grams that
    /// span a word boundary capture phrases and word edges (measured on XQuAD-ar: R@1 0.905 → 0.912 for this leg alone).
    /// CJK runs keep their bigrams; a number is one gram and also part of the stream.
    /// </summary>
    public void Accept(ReadOnlySpan<char> normalized, ReadOnlySpan<char> term, int start, int length, bool isStopWord, WordShape shape)
    {
        if (isStopWord)
        {
            return;
        }
        ReadOnlySpan<char> word = shape switch
        {
            WordShape.Arabic => ArabicLightStemmer.StripArticle(normalized, _minStem),
            WordShape.Number => term, // 2,500 and 2500 agree
            _ => normalized,
        };
        if (shape is WordShape.Cjk)
        {
            NGrams.Add(word.ToString());
            Source?.Append(Boundary).Append(word).Append(' ');
            return;
        }
        var output = new GramListOutput(NGrams);
        _stream.Append(word, _min, _max, ref output);
        Source?.Append(word).Append(' ');
    }
}

/// <summary>
/// The compact form of a text's n-grams: the words the gram stream is made of, separated by spaces; a token that starts
/// with <see cref="NGramSink.Boundary"/> is a literal gram (a CJK bigram) instead of a stream word; a line break starts
/// a new stream (a chunk's title and its text are two streams). About as long as the text, where the grams themselves
/// are four to five times longer.
/// </summary>
public static class NGramSource
{
    /// <summary>A source that expands to exactly <paramref name="grams"/> (each as a literal), for callers that hold grams only.</summary>
    public static string FromGrams(IEnumerable<string> grams)
    {
        ArgumentNullException.ThrowIfNull(grams);
        var sb = new StringBuilder();
        foreach (var gram in grams)
        {
            if (!string.IsNullOrEmpty(gram) && !gram.AsSpan().ContainsAny(' ', '\n'))
            {
                sb.Append(NGramSink.Boundary).Append(gram).Append(' ');
            }
        }
        return sb.ToString();
    }

    /// <summary>Joins the sources of several texts (title and body) so that each keeps its own stream.</summary>
    public static string Concat(string first, string second) =>
        first.Length == 0 ? second : second.Length == 0 ? first : first + "\n" + second;

    /// <summary>The grams of <paramref name="source"/>, as strings (tests, diagnostics).</summary>
    public static List<string> Expand(string source, TextAnalyzerOptions? options = null)
    {
        var list = new List<string>();
        var output = new GramListOutput(list);
        Expand(source, options ?? new TextAnalyzerOptions(), ref output);
        return list;
    }

    /// <summary>Expands <paramref name="source"/> into the grams the analyzer produced, in the same order.</summary>
    /// <remarks>Fully optimized from its first call: the store's index build spends most of its time here.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Expand<TOutput>(ReadOnlySpan<char> source, TextAnalyzerOptions options, ref TOutput output)
        where TOutput : struct, IGramOutput
    {
        while (!source.IsEmpty)
        {
            var lineEnd = source.IndexOf('\n');
            var line = lineEnd < 0 ? source : source[..lineEnd];
            source = lineEnd < 0 ? [] : source[(lineEnd + 1)..];
            var stream = new NGramStream();
            while (!line.IsEmpty)
            {
                var space = line.IndexOf(' ');
                var token = space < 0 ? line : line[..space];
                line = space < 0 ? [] : line[(space + 1)..];
                if (token.IsEmpty)
                {
                    continue;
                }
                if (token[0] == NGramSink.Boundary)
                {
                    if (token.Length > 1)
                    {
                        output.Add(token[1..]);
                    }
                    continue;
                }
                stream.Append(token, options.NGramMin, options.NGramMax, ref output);
            }
        }
    }
}

/// <summary>The tail of the word stream that the next word's n-grams may start in.</summary>
internal sealed class NGramStream
{
    private readonly char[] _buffer = new char[256];
    private int _carry = 1;

    public NGramStream() => _buffer[0] = NGramSink.Boundary;

    public void Append<TOutput>(ReadOnlySpan<char> word, int min, int max, ref TOutput output)
        where TOutput : struct, IGramOutput
    {
        if (word.Length + _carry + 1 > _buffer.Length)
        {
            word = word[..(_buffer.Length - _carry - 1)];
        }
        word.CopyTo(_buffer.AsSpan(_carry));
        var length = _carry + word.Length;
        _buffer[length++] = NGramSink.Boundary;
        var segment = _buffer.AsSpan(0, length);
        // Every gram that ends inside the new part (the word and its closing boundary) is new.
        for (var end = _carry + 1; end <= length; end++)
        {
            for (var n = min; n <= max && n <= end; n++)
            {
                output.Add(segment.Slice(end - n, n));
            }
        }
        var keep = Math.Min(max - 1, length);
        segment[(length - keep)..].CopyTo(_buffer);
        _carry = keep;
    }
}

internal readonly struct IndexSink(TermSink terms, NGramSink nGrams) : ITokenSink
{
    public TermSink Terms { get; } = terms;

    public NGramSink NGrams { get; } = nGrams;

    public void Accept(ReadOnlySpan<char> normalized, ReadOnlySpan<char> term, int start, int length, bool isStopWord, WordShape shape)
    {
        Terms.Accept(normalized, term, start, length, isStopWord, shape);
        NGrams.Accept(normalized, term, start, length, isStopWord, shape);
    }
}

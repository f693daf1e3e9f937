using System.Buffers;

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

/// <summary>
/// Character n-grams (sizes NGramMin..NGramMax, by position then size) of each normalized, unstemmed, non-stop word.
/// Arabic words lose a leading definite article first; a word shorter than NGramMin is emitted once; a number is
/// emitted whole (without thousands separators); CJK bigrams are passed through.
/// </summary>
internal readonly struct NGramSink(List<string> nGrams, TextAnalyzerOptions options) : ITokenSink
{
    private readonly int _min = options.NGramMin;
    private readonly int _max = options.NGramMax;
    private readonly int _minStem = options.MinArabicStemLength;

    public List<string> NGrams { get; } = nGrams;

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
        if (shape is WordShape.Cjk or WordShape.Number || word.Length < _min)
        {
            NGrams.Add(word.ToString());
            return;
        }
        for (int s = 0; s < word.Length; s++)
        {
            for (int n = _min; n <= _max && s + n <= word.Length; n++)
            {
                NGrams.Add(word.Slice(s, n).ToString());
            }
        }
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

namespace PolicyChat.Core.Text;

// CONTRACT STUB: the Text helper replaces the bodies; keep the public signatures.
public sealed record TextAnalyzerOptions
{
    /// <summary>Minimum length of an Arabic stem after affix removal.</summary>
    public int MinArabicStemLength { get; init; } = 2;
    /// <summary>Character n-gram sizes for the n-gram index.</summary>
    public int NGramMin { get; init; } = 3;
    public int NGramMax { get; init; } = 4;
}

/// <summary>The single analyzer used identically at indexing and at query time.</summary>
public sealed class TextAnalyzer
{
    public TextAnalyzer(TextAnalyzerOptions? options = null) => Options = options ?? new TextAnalyzerOptions();

    public static TextAnalyzer Default { get; } = new();

    public TextAnalyzerOptions Options { get; }

    /// <summary>Normalization only (no stemming, no stop-word removal): NFKC, diacritics, tatweel, letter forms, digits, case.</summary>
    public string Normalize(string text) => throw new NotImplementedException();

    /// <summary>Tokens with offsets into <paramref name="text"/>, normalized and stemmed; stop words flagged.</summary>
    public IReadOnlyList<AnalyzedToken> Tokenize(string text) => throw new NotImplementedException();

    /// <summary>Word-index terms: normalized, stemmed, stop words removed; CJK runs as character bigrams.</summary>
    public IReadOnlyList<string> Terms(string text) => throw new NotImplementedException();

    /// <summary>Character n-grams of the normalized (unstemmed) non-stop words, for the morphology-robust index.</summary>
    public IReadOnlyList<string> CharNGrams(string text) => throw new NotImplementedException();
}

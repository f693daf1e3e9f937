using PolicyChat.Core.Documents;

namespace PolicyChat.Core.Chunking;

// CONTRACT STUB: the Chunking helper replaces the bodies; keep the public signatures.
public sealed record ChunkingOptions
{
    public int TargetChars { get; init; } = 1000;
    public int MaxChars { get; init; } = 1500;
    public int OverlapSentences { get; init; } = 1;
}

/// <summary>A chunk: Text == documentText[Start..End]. Heading is the nearest heading above it, if any.</summary>
public sealed record TextChunk(int Ordinal, int Start, int End, string Text, string? Heading);

public sealed class Chunker(ChunkingOptions options)
{
    public ChunkingOptions Options { get; } = options;

    /// <summary>Splits text; <paramref name="headings"/> comes from the reader (null: detect headings heuristically in plain text).</summary>
    public IReadOnlyList<TextChunk> Split(string text, IReadOnlyList<HeadingSpan>? headings = null) => throw new NotImplementedException();

    /// <summary>Approximate token count without a tokenizer (documented heuristic).</summary>
    public static int ApproximateTokens(string text) => throw new NotImplementedException();
}

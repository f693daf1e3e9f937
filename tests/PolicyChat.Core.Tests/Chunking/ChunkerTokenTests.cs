using PolicyChat.Core.Chunking;
using PolicyChat.Core.Tokens;

namespace PolicyChat.Core.Tests.Chunking;

/// <summary>Chunks sized in tokens (Chunking:TargetTokens / MaxTokens) over the sample corpus's documents.</summary>
public sealed class ChunkerTokenTests
{
    private static readonly string[] s_documents = [.. Directory.GetFiles(TestPaths.Corpus, "*.txt").Order(StringComparer.Ordinal).Select(File.ReadAllText)];

    [Fact]
    public void Split_TargetTokens_EveryChunkWithinMaxTokensAndMostNearTheTarget()
    {
        var tokenizer = TokenizerFactory.Default;
        var chunker = new Chunker(new ChunkingOptions { TargetTokens = 120, MaxTokens = 180 }, tokenizer);

        var chunks = s_documents.SelectMany(d => chunker.Split(d).Select(c => (Document: d, Chunk: c))).ToList();

        Assert.True(chunker.CountsTokens);
        Assert.All(chunks, x => Assert.Equal(x.Document[x.Chunk.Start..x.Chunk.End], x.Chunk.Text));
        Assert.All(chunks, x => Assert.InRange(tokenizer.CountTokens(x.Chunk.Text), 1, 180));
        var sizes = chunks.Select(x => tokenizer.CountTokens(x.Chunk.Text)).Order().ToList();
        Assert.InRange(sizes[sizes.Count / 2], 60, 180);
        // Character sizing of the same text gives different chunks: the setting is really used.
        var byChars = s_documents.Sum(d => new Chunker(new ChunkingOptions { TargetTokens = 0 }).Split(d).Count);
        Assert.NotEqual(byChars, chunks.Count);
    }

    [Fact]
    public void Split_EmbedderInputLimit_CapsMaxTokensLeavingRoomForTheTitle()
    {
        var tokenizer = TokenizerFactory.Default;
        var chunker = new Chunker(new ChunkingOptions { TargetTokens = 400, MaxTokens = 600 }, tokenizer, maxInputTokens: 200);

        var chunks = s_documents.SelectMany(d => chunker.Split(d)).ToList();

        Assert.Equal(200 - Chunker.TitleTokens, chunker.Options.MaxTokens);
        Assert.All(chunks, c => Assert.InRange(tokenizer.CountTokens(c.Text), 1, 200 - Chunker.TitleTokens));
    }

    [Fact]
    public void Split_SentencePieceTokenizer_MeasuresInItsOwnTokens()
    {
        var tokenizer = TokenizerFactory.Create(new TokenizerOptions { Path = Path.Combine(AppContext.BaseDirectory, "Tokens", "testdata", "sample-bpe600.model") });
        var chunker = new Chunker(new ChunkingOptions { TargetTokens = 150, MaxTokens = 220 }, tokenizer);

        var chunks = s_documents.SelectMany(d => chunker.Split(d)).ToList();

        Assert.All(chunks, c => Assert.InRange(tokenizer.CountTokens(c.Text), 1, 220));
        Assert.True(chunks.Count > s_documents.Length);
    }

    [Fact]
    public void Constructor_MaxTokensBelowTarget_NamesTheSettings()
    {
        var error = Assert.Throws<ArgumentException>(() => new Chunker(new ChunkingOptions { TargetTokens = 300, MaxTokens = 100 }, TokenizerFactory.Default));

        Assert.Contains("MaxTokens", error.Message, StringComparison.Ordinal);
    }
}

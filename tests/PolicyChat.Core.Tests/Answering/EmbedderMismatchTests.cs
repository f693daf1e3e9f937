using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Hosting;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Answering;

/// <summary>An index built with one embedding model refuses another one, at ingestion and at question time.</summary>
public sealed class EmbedderMismatchTests : IAsyncLifetime
{
    private const string BuiltWith = "bge-m3";

    private readonly string _root = TestPaths.NewTempDirectory();
    private ScriptedOpenAiServer _server = null!;

    private string Documents => Path.Combine(_root, "docs");

    public async Task InitializeAsync()
    {
        _server = await ScriptedOpenAiServer.StartAsync();
        Directory.CreateDirectory(Documents);
        foreach (var file in new[] { "000_8ed96be78e0ce9ee.txt", "003_49fd475c3f1fefe0.txt" })
        {
            File.Copy(Path.Combine(TestPaths.Corpus, file), Path.Combine(Documents, file));
        }
        await using var services = Services(BuiltWith, 32);
        var summary = await services.GetRequiredService<IngestionPipeline>().IngestAsync([Documents]);
        Assert.Equal(2, summary.Added);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        SqliteIndexStore.ClearPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS.
        }
    }

    [Fact]
    public async Task IngestAsync_IndexBuiltWithScriptedEmbeddings_RecordsTheEmbedderAndStoresVectors()
    {
        await using var services = Services(BuiltWith, 32);
        var store = services.GetRequiredService<IIndexStore>();

        var embedder = await store.GetEmbedderAsync();
        var stats = await store.GetStatsAsync();

        Assert.Equal(BuiltWith, embedder!.Model);
        Assert.Equal(32, embedder.Dimensions);
        Assert.True(stats.Chunks > 0);
        Assert.Contains(_server.EmbeddingRequests, r => r.Model == BuiltWith && r.Inputs.Count > 0);
    }

    [Theory]
    [InlineData("nomic-embed-text", 32)]
    [InlineData(BuiltWith, 64)]
    public async Task IngestAsync_OtherEmbeddingModelOrDimension_ThrowsMismatchSayingToReindex(string model, int dimensions)
    {
        await using var services = Services(model, dimensions);

        var error = await Assert.ThrowsAsync<EmbedderMismatchException>(() => services.GetRequiredService<IngestionPipeline>().IngestAsync([Documents]));

        Assert.Contains("Re-index", error.Message, StringComparison.Ordinal);
        Assert.Contains(BuiltWith, error.Message, StringComparison.Ordinal);
        Assert.Contains(model, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskAsync_OtherEmbeddingModel_ThrowsMismatchInsteadOfSearchingForeignVectors()
    {
        await using var services = Services("nomic-embed-text", 32);

        var error = await Assert.ThrowsAsync<EmbedderMismatchException>(() =>
            services.GetRequiredService<AnswerService>().AskAsync(new AskRequest("كم مشروعًا مفتوح المصدر تستهدف شنغهاي؟")));

        Assert.Contains("Re-index", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.EmbeddingRequests, r => r.Model == "nomic-embed-text");
    }

    [Fact]
    public async Task SearchAsync_SameEmbeddingModel_UsesTheDenseLeg()
    {
        await using var services = Services(BuiltWith, 32);
        var before = _server.EmbeddingRequests.Count;

        var result = await services.GetRequiredService<HybridRetriever>().SearchAsync("Shanghai open source projects", 3);

        Assert.NotEmpty(result.Hits);
        Assert.Equal(before + 1, _server.EmbeddingRequests.Count);
    }

    [Fact]
    public async Task IngestAsync_ChunksSizedInTokens_RecordsTheTokenizerAndRefusesAnotherOne()
    {
        var sentencePiece = Path.Combine(AppContext.BaseDirectory, "Tokens", "testdata", "sample-bpe600.model");
        await using (var o200k = Services(BuiltWith, 32, "tokens.db", TokenChunks))
        {
            var summary = await o200k.GetRequiredService<IngestionPipeline>().IngestAsync([Documents]);
            Assert.Equal(2, summary.Added);
            Assert.Equal("o200k", (await o200k.GetRequiredService<IIndexStore>().GetEmbedderAsync())!.Tokenizer);
        }
        await using var other = Services(BuiltWith, 32, "tokens.db", s => { TokenChunks(s); s["Tokenizer:Path"] = sentencePiece; });

        var error = await Assert.ThrowsAsync<EmbedderMismatchException>(() => other.GetRequiredService<IngestionPipeline>().IngestAsync([Documents]));

        Assert.Contains("'o200k'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'sentencepiece:sample-bpe600.model'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Tokenizer:Path", error.Message, StringComparison.Ordinal);
        Assert.Equal("o200k", (await other.GetRequiredService<IIndexStore>().GetEmbedderAsync())!.Tokenizer);

        static void TokenChunks(Dictionary<string, string?> s)
        {
            s["Chunking:TargetTokens"] = "280";
            s["Chunking:MaxTokens"] = "420";
        }
    }

    [Fact]
    public async Task IngestAsync_DefaultSizesInTokens_RecordTheTokenizer_CharacterFallbackRecordsNone()
    {
        await using (var byDefault = Services(BuiltWith, 32))
        {
            Assert.Equal("o200k", (await byDefault.GetRequiredService<IIndexStore>().GetEmbedderAsync())!.Tokenizer);
        }
        await using var characters = Services(BuiltWith, 32, "characters.db", s => s["Chunking:TargetTokens"] = "0");
        await characters.GetRequiredService<IngestionPipeline>().IngestAsync([Documents]);

        Assert.Null((await characters.GetRequiredService<IIndexStore>().GetEmbedderAsync())!.Tokenizer);
    }

    private ServiceProvider Services(string model, int dimensions, string index = "index.db", Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Sqlite:Path"] = Path.Combine(_root, index),
            ["Conversations:Path"] = Path.Combine(_root, "conversations.db"),
            ["Llm:Endpoint"] = "",
            ["Llm:Model"] = "",
            ["Embedding:Endpoint"] = _server.BaseUrl,
            ["Embedding:Model"] = model,
            ["Embedding:Dimensions"] = dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Answer:PromptsPath"] = TestPaths.Prompts,
        };
        configure?.Invoke(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddPolicyChat(configuration).BuildServiceProvider();
    }
}

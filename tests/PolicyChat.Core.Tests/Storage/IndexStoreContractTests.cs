using PolicyChat.Core.Storage;

namespace PolicyChat.Core.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IIndexStore"/> must show, run against each implementation by a subclass.
/// Data is tiny and hand-made: terms and n-grams are given explicitly (no analyzer), vectors have
/// <see cref="Dimensions"/> dimensions.
/// </summary>
public abstract class IndexStoreContractTests : IAsyncLifetime
{
    protected const int Dimensions = 4;

    protected static readonly EmbedderInfo TestEmbedder = new("http://embedder.test/v1", "test-embed", Dimensions);

    private readonly List<IIndexStore> _stores = [];

    /// <summary>A fresh, empty, initialized store.</summary>
    protected abstract Task<IIndexStore> CreateStoreAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    private async Task<IIndexStore> NewStoreAsync()
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        return store;
    }

    protected sealed record ChunkSpec(string Text, string[] Terms, string[]? NGrams = null, float[]? Vector = null, string? Language = null);

    /// <summary>A document whose text is its chunks joined by blank lines; n-grams default to the terms' character trigrams.</summary>
    protected static IndexedDocument Doc(string id, string language, string hash, params ChunkSpec[] chunks)
    {
        var text = string.Join("\n\n", chunks.Select(c => c.Text));
        var indexed = new List<ChunkToIndex>();
        var position = 0;
        for (var i = 0; i < chunks.Length; i++)
        {
            var c = chunks[i];
            indexed.Add(new ChunkToIndex(i, position, position + c.Text.Length, c.Text, c.Language ?? language, c.Terms, c.NGrams ?? Trigrams(c.Terms), c.Vector));
            position += c.Text.Length + 2;
        }
        var stored = new StoredDocument(id, $"corpus/{id}.md", "Title of " + id, language, "2025-01-02", "Outlet " + id, hash, text,
            new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        return new IndexedDocument(stored, indexed);
    }

    protected static string[] Trigrams(IEnumerable<string> terms) =>
        terms.SelectMany(t => t.Length <= 3 ? [t] : Enumerable.Range(0, t.Length - 2).Select(i => t.Substring(i, 3))).ToArray();

    protected static IndexQuery WordQuery(params string[] terms) => new(terms, [], null, 10);

    private static async Task SeedThreeLanguagesAsync(IIndexStore store)
    {
        await store.UpsertDocumentAsync(Doc("ar-1", "ar", "h-ar", new ChunkSpec("حماية البيانات الشخصية", ["حماية", "بيانات", "شخصي"])));
        await store.UpsertDocumentAsync(Doc("en-1", "en", "h-en", new ChunkSpec("Personal data protection law", ["personal", "data", "protection", "law"])));
        await store.UpsertDocumentAsync(Doc("zh-1", "zh", "h-zh", new ChunkSpec("个人数据 data 保护", ["个人", "数据", "data", "保护"])));
    }

    [ContractFact]
    public async Task SearchAsync_AfterUpsert_FindsChunkWithCitationMetadata()
    {
        var store = await NewStoreAsync();
        await store.UpsertDocumentAsync(Doc("doc-a", "en", "hash-a",
            new ChunkSpec("Privacy rules for data brokers.", ["privacy", "rules", "data", "brokers"]),
            new ChunkSpec("Customs tariffs on chips.", ["customs", "tariffs", "chips"])));
        await store.UpsertDocumentAsync(Doc("doc-b", "en", "hash-b", new ChunkSpec("Tax credits for factories.", ["tax", "credits", "factories"])));

        var hits = await store.SearchAsync(WordQuery("tariffs"));

        var hit = Assert.Single(hits);
        Assert.Equal("doc-a", hit.DocumentId);
        Assert.Equal(1, hit.Ordinal);
        Assert.Equal("Customs tariffs on chips.", hit.Text);
        Assert.Equal("Title of doc-a", hit.Title);
        Assert.Equal("en", hit.Language);
        Assert.Equal("2025-01-02", hit.Date);
        Assert.Equal("Outlet doc-a", hit.Outlet);
        var document = await store.GetDocumentAsync("doc-a");
        Assert.Equal(hit.Text, document!.Text[hit.Start..hit.End]);
        Assert.Equal(1, hit.Ranks.Words);
        Assert.True(hit.Score > 0);
    }

    [ContractFact]
    public async Task SearchAsync_TermInSeveralChunks_RanksHigherTermFrequencyFirst()
    {
        var store = await NewStoreAsync();
        await store.UpsertDocumentAsync(Doc("doc-a", "en", "h",
            new ChunkSpec("data once", ["data", "once", "filler", "words"]),
            new ChunkSpec("data data data", ["data", "data", "data", "filler"])));
        await store.UpsertDocumentAsync(Doc("doc-b", "en", "h2", new ChunkSpec("unrelated", ["unrelated", "text"])));

        var hits = await store.SearchAsync(WordQuery("data"));

        Assert.Equal([1, 0], hits.Select(h => h.Ordinal));
        Assert.All(hits, h => Assert.Equal("doc-a", h.DocumentId));
        Assert.True(hits[0].Score > hits[1].Score);
    }

    [ContractFact]
    public async Task UpsertDocumentAsync_Replace_ChangesResultsAndLeavesNoOldChunks()
    {
        var store = await NewStoreAsync();
        await store.UpsertDocumentAsync(Doc("doc-a", "en", "v1",
            new ChunkSpec("alpha one", ["alpha", "one"]),
            new ChunkSpec("alpha two", ["alpha", "two"]),
            new ChunkSpec("alpha three", ["alpha", "three"])));
        await store.UpsertDocumentAsync(Doc("doc-b", "en", "b1", new ChunkSpec("gamma", ["gamma"])));

        await store.UpsertDocumentAsync(Doc("doc-a", "en", "v2",
            new ChunkSpec("beta one", ["beta", "one"]),
            new ChunkSpec("beta two", ["beta", "two"])));

        Assert.Empty(await store.SearchAsync(WordQuery("alpha")));
        var beta = await store.SearchAsync(WordQuery("beta"));
        Assert.Equal(2, beta.Count);
        Assert.Equal([0, 1], beta.Select(h => h.Ordinal).Order());
        var one = await store.SearchAsync(WordQuery("one"));
        Assert.Equal("beta one", Assert.Single(one).Text);
        var stats = await store.GetStatsAsync();
        Assert.Equal(2, stats.Documents);
        Assert.Equal(3, stats.Chunks);
        var summary = Assert.Single(await store.ListDocumentsAsync(new SearchFilter(DocumentIds: ["doc-a"])));
        Assert.Equal(2, summary.ChunkCount);
        Assert.Equal("v2", summary.ContentHash);
        Assert.Equal("beta one\n\nbeta two", (await store.GetDocumentAsync("doc-a"))!.Text);
    }

    [ContractFact]
    public async Task DeleteDocumentAsync_Existing_RemovesDocumentAndChunks()
    {
        var store = await NewStoreAsync();
        await store.UpsertDocumentAsync(Doc("doc-a", "en", "a", new ChunkSpec("shared term", ["shared", "only-a"])));
        await store.UpsertDocumentAsync(Doc("doc-b", "en", "b", new ChunkSpec("shared term", ["shared", "only-b"])));

        Assert.True(await store.DeleteDocumentAsync("doc-a"));

        Assert.Empty(await store.SearchAsync(WordQuery("only-a")));
        Assert.Equal("doc-b", Assert.Single(await store.SearchAsync(WordQuery("shared"))).DocumentId);
        Assert.Null(await store.GetDocumentAsync("doc-a"));
        Assert.Equal(["doc-b"], (await store.GetDocumentStatesAsync()).Select(s => s.Id));
        var stats = await store.GetStatsAsync();
        Assert.Equal(1, stats.Documents);
        Assert.Equal(1, stats.Chunks);
        Assert.False(await store.DeleteDocumentAsync("doc-a"));
    }

    [ContractFact]
    public async Task ListDocumentsAsync_WithFilters_ReturnsMatchingSummaries()
    {
        var store = await NewStoreAsync();
        await SeedThreeLanguagesAsync(store);

        var all = await store.ListDocumentsAsync();
        var arabic = await store.ListDocumentsAsync(new SearchFilter(Languages: ["ar"]));
        var byId = await store.ListDocumentsAsync(new SearchFilter(DocumentIds: ["ar-1", "zh-1"]));
        var both = await store.ListDocumentsAsync(new SearchFilter(DocumentIds: ["ar-1", "zh-1"], Languages: ["zh", "en"]));

        Assert.Equal(["ar-1", "en-1", "zh-1"], all.Select(d => d.Id).Order(StringComparer.Ordinal));
        var ar = Assert.Single(arabic);
        Assert.Equal(("ar-1", "corpus/ar-1.md", "Title of ar-1", "ar", "h-ar", 1), (ar.Id, ar.SourcePath, ar.Title, ar.Language, ar.ContentHash, ar.ChunkCount));
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), ar.IngestedAt);
        Assert.Equal(["ar-1", "zh-1"], byId.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Equal("zh-1", Assert.Single(both).Id);
    }

    [ContractFact]
    public async Task SearchAsync_LanguageFilter_ReturnsOnlyThatLanguage()
    {
        var store = await NewStoreAsync();
        await SeedThreeLanguagesAsync(store);

        var unfiltered = await store.SearchAsync(WordQuery("data"));
        var chinese = await store.SearchAsync(WordQuery("data") with { Filter = new SearchFilter(Languages: ["zh"]) });

        Assert.Equal(["en-1", "zh-1"], unfiltered.Select(h => h.DocumentId).Order(StringComparer.Ordinal));
        Assert.Equal("zh-1", Assert.Single(chinese).DocumentId);
    }

    [ContractFact]
    public async Task SearchAsync_DocumentIdFilter_ReturnsOnlyThoseDocuments()
    {
        var store = await NewStoreAsync();
        await SeedThreeLanguagesAsync(store);

        var hits = await store.SearchAsync(WordQuery("data", "حماية") with { Filter = new SearchFilter(DocumentIds: ["ar-1", "en-1"]) });

        Assert.Equal(["ar-1", "en-1"], hits.Select(h => h.DocumentId).Order(StringComparer.Ordinal));
    }

    [ContractFact]
    public async Task SearchAsync_EmptyStore_ReturnsNothing()
    {
        var store = await NewStoreAsync();

        var hits = await store.SearchAsync(new IndexQuery(["privacy"], ["pri", "riv"], [1, 0, 0, 0], 5));

        Assert.Empty(hits);
        Assert.Empty(await store.ListDocumentsAsync());
        Assert.Empty(await store.GetDocumentStatesAsync());
        Assert.Equal(new IndexStats(0, 0, null), await store.GetStatsAsync());
        Assert.Null(await store.GetDocumentAsync("missing"));
    }

    [ContractFact]
    public async Task SearchAsync_HybridLegs_ReportsLegRanksAndHonoursWeights()
    {
        var store = await NewStoreAsync();
        await store.SetEmbedderAsync(TestEmbedder);
        // "words" wins the word leg, "vector" wins the dense leg, "ngram" is reachable only through n-grams.
        await store.UpsertDocumentAsync(Doc("words", "en", "w", new ChunkSpec("regulation regulation", ["regulation", "regulation"], ["zzz"], [0, 1, 0, 0])));
        await store.UpsertDocumentAsync(Doc("vector", "en", "v", new ChunkSpec("about something else", ["regulation", "other", "stuff", "here"], ["yyy"], [1, 0, 0, 0])));
        await store.UpsertDocumentAsync(Doc("ngram", "en", "n", new ChunkSpec("regulatory", ["regulatory"], ["reg", "egu", "gul"], [0, 0, 1, 0])));

        var query = new IndexQuery(["regulation"], ["reg", "egu", "gul"], [1, 0.1f, 0, 0], 10);
        var hits = await store.SearchAsync(query);

        var byId = hits.ToDictionary(h => h.DocumentId);
        Assert.Equal(3, hits.Count);
        Assert.Equal(1, byId["words"].Ranks.Words);
        Assert.Equal(2, byId["vector"].Ranks.Words);
        Assert.Null(byId["ngram"].Ranks.Words);
        Assert.Equal(1, byId["ngram"].Ranks.NGrams);
        Assert.Null(byId["words"].Ranks.NGrams);
        Assert.Equal(1, byId["vector"].Ranks.Dense);
        Assert.NotNull(byId["vector"].Ranks.DenseScore);
        Assert.NotNull(byId["words"].Ranks.WordScore);

        var denseHeavy = await store.SearchAsync(query with { Weights = new FusionWeights(Words: 1, NGrams: 0.1, Dense: 5) });
        var wordHeavy = await store.SearchAsync(query with { Weights = new FusionWeights(Words: 5, NGrams: 0.1, Dense: 1) });
        Assert.Equal("vector", denseHeavy[0].DocumentId);
        Assert.Equal("words", wordHeavy[0].DocumentId);

        var denseOnly = await store.SearchAsync(new IndexQuery([], [], [0, 0, 1, 0.1f], 1));
        var nearest = Assert.Single(denseOnly);
        Assert.Equal("ngram", nearest.DocumentId);
        Assert.Equal(new LegRanks(null, null, 1, null, null, nearest.Ranks.DenseScore), nearest.Ranks);
    }

    [ContractFact]
    public async Task SearchAsync_Limit_CapsResults()
    {
        var store = await NewStoreAsync();
        await store.UpsertDocumentAsync(Doc("doc-a", "en", "a",
            new ChunkSpec("law one", ["law", "one"]), new ChunkSpec("law two", ["law", "two"]), new ChunkSpec("law three", ["law", "three"])));

        var hits = await store.SearchAsync(WordQuery("law") with { Limit = 2 });

        Assert.Equal(2, hits.Count);
    }

    [ContractFact]
    public async Task GetDocumentStatesAsync_AfterUpserts_ReturnsIdsPathsAndHashes()
    {
        var store = await NewStoreAsync();
        await store.UpsertDocumentAsync(Doc("doc-a", "en", "hash-a1", new ChunkSpec("a", ["a"])));
        await store.UpsertDocumentAsync(Doc("doc-b", "ar", "hash-b", new ChunkSpec("b", ["b"])));
        await store.UpsertDocumentAsync(Doc("doc-a", "en", "hash-a2", new ChunkSpec("a2", ["a2"])));

        var states = await store.GetDocumentStatesAsync();

        Assert.Equal(
            [new DocumentState("doc-a", "corpus/doc-a.md", "hash-a2"), new DocumentState("doc-b", "corpus/doc-b.md", "hash-b")],
            states.OrderBy(s => s.Id, StringComparer.Ordinal));
    }

    [ContractFact]
    public async Task GetDocumentAsync_Existing_ReturnsTextAndMetadata()
    {
        var store = await NewStoreAsync();
        var doc = Doc("doc-ar", "ar", "hash", new ChunkSpec("نص عربي", ["نص", "عربي"]), new ChunkSpec("فقرة ثانية", ["فقرة", "ثاني"]));
        await store.UpsertDocumentAsync(doc);

        var stored = await store.GetDocumentAsync("doc-ar");

        Assert.Equal(doc.Document, stored);
    }

    [ContractFact]
    public async Task SetEmbedderAsync_ThenGet_RoundTripsAndShowsInStats()
    {
        var store = await NewStoreAsync();
        Assert.Null(await store.GetEmbedderAsync());

        await store.SetEmbedderAsync(TestEmbedder);
        await store.UpsertDocumentAsync(Doc("doc-a", "en", "a", new ChunkSpec("vec", ["vec"], null, [0.5f, 0.5f, 0, 0])));

        Assert.Equal(TestEmbedder, await store.GetEmbedderAsync());
        Assert.Equal(new IndexStats(1, 1, TestEmbedder), await store.GetStatsAsync());
    }
}

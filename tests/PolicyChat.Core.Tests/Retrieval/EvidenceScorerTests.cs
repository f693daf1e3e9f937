using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Retrieval;

/// <summary>Evidence for abstention: same-language coverage, and names/numbers for passages in another language.</summary>
public sealed class EvidenceScorerTests
{
    private static readonly TextAnalyzer Analyzer = TextAnalyzer.Default;

    private const string ArabicDeepSeek = "تأسست شركة DeepSeek في مايو 2023 في مدينة هانغتشو.";
    private const string EnglishProtein = "The National Protein Science Facility in Shanghai supports over 2,500 research teams.";

    private static ChunkHit Hit(string text, string language) =>
        new("doc", 0, 0, text.Length, text, "", language, null, null, 1, new LegRanks(1, 1, null));

    private static Task<double> ScoreAsync(string question, params ChunkHit[] hits) =>
        new EvidenceScorer(Analyzer).ScoreAsync([question], hits, new NoStatisticsStore());

    [Fact]
    public async Task ScoreAsync_EnglishQuestionNamingWhatAnArabicPassageWritesInLatin_IsCovered()
    {
        Assert.Equal(1.0, await ScoreAsync("When was DeepSeek founded?", Hit(ArabicDeepSeek, Languages.Arabic)), 6);
    }

    [Fact]
    public async Task ScoreAsync_NameFoundButAnotherNameMissing_CoversOnlyItsShare()
    {
        var score = await ScoreAsync("When did DeepSeek sell itself to Google?", Hit(ArabicDeepSeek, Languages.Arabic));

        Assert.Equal(0.5, score, 6);
    }

    [Fact]
    public async Task ScoreAsync_NumberThePassageLacks_LowersTheCrossLanguageScore()
    {
        var matching = await ScoreAsync("What did DeepSeek do in 2023?", Hit(ArabicDeepSeek, Languages.Arabic));
        var missing = await ScoreAsync("What did DeepSeek do in 2019?", Hit(ArabicDeepSeek, Languages.Arabic));

        Assert.Equal(1.0, matching, 6);
        Assert.Equal(0.5, missing, 6);
    }

    [Fact]
    public async Task ScoreAsync_NumberAloneNeverCoversAPassageInAnotherLanguage()
    {
        const string question = "What happened to the company in 2023?";

        var crossLanguage = await ScoreAsync(question, Hit(ArabicDeepSeek, Languages.Arabic));
        var ordinary = await ScoreAsync(question, Hit(ArabicDeepSeek, Languages.English));

        // Only the plain share of the question's terms (the number among three terms), no anchor coverage of 1.
        Assert.Equal(ordinary, crossLanguage, 6);
        Assert.Equal(1.0 / 3, crossLanguage, 6);
    }

    [Fact]
    public async Task ScoreAsync_SameLanguagePassage_IsJudgedOnAllTermsNotOnNamesAlone()
    {
        var english = Hit("DeepSeek released a chatbot that became popular.", Languages.English);

        var score = await ScoreAsync("When was DeepSeek founded in Hangzhou?", english);

        Assert.InRange(score, 0.01, 0.6);
    }

    [Fact]
    public async Task ScoreAsync_ArabicQuestionAboutAnEnglishPassageWithoutSharedNames_HasNoEvidence()
    {
        var score = await ScoreAsync("كم فريقًا بحثيًا تدعمه منشأة علوم البروتين الوطنية في شنغهاي؟", Hit(EnglishProtein, Languages.English));

        Assert.Equal(0.0, score, 6);
    }

    [Fact]
    public async Task ScoreAsync_ArabicQuestionWithALatinName_IsCoveredByAnEnglishPassageNamingIt()
    {
        var english = Hit("DeepSeek was founded in May 2023 in Hangzhou.", Languages.English);

        Assert.Equal(1.0, await ScoreAsync("متى تأسست DeepSeek؟", english), 6);
    }

    /// <summary>A store without term statistics (every term weighs the same); the scorer calls nothing else.</summary>
    private sealed class NoStatisticsStore : IIndexStore
    {
        public Task InitializeAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<DocumentState>> GetDocumentStatesAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task UpsertDocumentAsync(IndexedDocument document, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> DeleteDocumentAsync(string documentId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<StoredDocument?> GetDocumentAsync(string documentId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<DocumentSummary>> ListDocumentsAsync(SearchFilter? filter = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<ChunkHit>> SearchAsync(IndexQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<EmbedderInfo?> GetEmbedderAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task SetEmbedderAsync(EmbedderInfo embedder, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

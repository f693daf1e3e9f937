using System.Diagnostics;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Evaluation;

/// <summary>
/// Passage-retrieval evaluation on a SQuAD-format set: every paragraph becomes one document in the given (empty)
/// index, every question is searched, and the rank of its paragraph among the distinct retrieved documents is scored.
/// </summary>
public sealed class SquadEvaluator(IIndexStore store, DocumentIndexer indexer, HybridRetriever retriever)
{
    /// <summary>Chunk hits fetched per question; enough to yield 10 distinct documents when paragraphs span chunks.</summary>
    private const int ChunkHitsPerQuestion = 40;

    /// <summary>Questions whose passage was not ranked first in the last run: (question, gold passage, first passage returned).</summary>
    public IReadOnlyList<(SquadQuestion Question, int? Rank, string? TopDocumentId)> Misses => _misses;

    private readonly List<(SquadQuestion, int?, string?)> _misses = [];

    /// <summary>Indexes every passage of the set as one document (ids from <see cref="PassageId"/>).</summary>
    public async Task IndexAsync(SquadDataset dataset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        await store.InitializeAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var built = new IndexedDocument[dataset.Passages.Count];
        Parallel.For(0, dataset.Passages.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var passage = dataset.Passages[i];
            var id = PassageId(i);
            var metadata = new DocumentMetadata(passage.Title, LanguageDetector.Detect(passage.Context), null, null);
            built[i] = indexer.Build(id, "squad:" + id, new ExtractedDocument(passage.Context, passage.Title, "squad", []), metadata,
                DocumentIds.ContentHash(System.Text.Encoding.UTF8.GetBytes(passage.Context)), now);
        });
        foreach (var document in built)
        {
            await store.UpsertDocumentAsync(document, cancellationToken);
        }
    }

    /// <summary>Indexes the set (see <see cref="IndexAsync"/>) and scores retrieval for every question.</summary>
    public async Task<RetrievalMetrics> RunAsync(SquadDataset dataset, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        await IndexAsync(dataset, cancellationToken);
        return await SearchAsync(dataset, progress, cancellationToken);
    }

    /// <summary>Scores retrieval for every question of a set already indexed.</summary>
    public async Task<RetrievalMetrics> SearchAsync(SquadDataset dataset, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var ranks = new List<int?>(dataset.Questions.Count);
        var latencies = new List<double>(dataset.Questions.Count);
        foreach (var question in dataset.Questions)
        {
            var clock = Stopwatch.StartNew();
            var result = await retriever.SearchAsync(question.Text, ChunkHitsPerQuestion, cancellationToken: cancellationToken);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            var rank = RankOf(result.Hits, PassageId(question.PassageIndex));
            ranks.Add(rank);
            if (rank != 1)
            {
                _misses.Add((question, rank, (result.Hits.Count > 0 ? result.Hits[0].DocumentId : null)));
            }
            progress?.Report(ranks.Count);
        }
        return RetrievalMetrics.Compute(ranks, latencies);
    }

    /// <summary>1-based rank of a document among the distinct documents of the hits, or null.</summary>
    public static int? RankOf(IReadOnlyList<ChunkHit> hits, string documentId)
    {
        ArgumentNullException.ThrowIfNull(hits);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hit in hits)
        {
            if (!seen.Add(hit.DocumentId))
            {
                continue;
            }
            if (hit.DocumentId == documentId)
            {
                return seen.Count;
            }
        }
        return null;
    }

    public static string PassageId(int index) => "p" + index.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);
}

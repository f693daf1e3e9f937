using System.Text.Json;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Answering.Extractive;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Evaluation;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Writes the features of every sentence the extractive answerer scores, one JSON line per question, so that sentence
/// weights and thresholds can be studied and swept offline. Args: SQUAD OUT [corpus] [ngram-credit=x] [ngram-share=y]:
/// without `corpus` the SQuAD paragraphs are indexed and their own questions asked (answerable); with it the sample
/// corpus (corpus/gold) is indexed and the SQuAD questions asked against it (negatives).
/// </summary>
internal sealed class ExtractiveFeatures : IBenchmark
{
    public string Name => "extractive-features";

    public string Description => "dump the extractive sentence features per question (SQUAD OUT [corpus])";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length < 2)
        {
            Console.WriteLine("usage: extractive-features SQUAD.json OUT.jsonl [corpus]");
            return 2;
        }
        var dataset = SquadDataset.Load(args[0]);
        var negatives = args.Skip(2).Contains("corpus");
        var folder = Path.Combine(Path.GetTempPath(), "policychat-features-" + Guid.NewGuid().ToString("N"));
        var analyzer = TextAnalyzer.Default;
        await using var store = new SqliteIndexStore(new SqliteIndexOptions { Path = Path.Combine(folder, "index.db") });
        var indexer = new DocumentIndexer(analyzer, new Chunker(new ChunkingOptions()));
        var retriever = new HybridRetriever(store, analyzer, new RetrievalOptions());
        if (negatives)
        {
            var goldPath = Path.Combine(Repo.Root(), "corpus", "gold", "answers.json");
            var pipeline = new IngestionPipeline(store, new DocumentLoader(new DocumentLoaderOptions()), indexer, new IngestionOptions());
            await pipeline.IngestAsync([AnswerGoldSet.Load(goldPath).CorpusFolder(goldPath)], cancellationToken: cancellationToken);
        }
        else
        {
            await new SquadEvaluator(store, indexer, retriever).IndexAsync(dataset, cancellationToken);
        }
        var options = new AnswerOptions();
        // Optional overrides of the scoring weights that the dump itself depends on: name=value after the file arguments.
        foreach (var pair in args.Skip(2).Where(a => a.Contains('=', StringComparison.Ordinal)))
        {
            var (key, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], double.Parse(pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            options = options with
            {
                ExtractiveScoring = key switch
                {
                    "ngram-credit" => options.ExtractiveScoring with { NGramCredit = value },
                    "ngram-share" => options.ExtractiveScoring with { NGramMinShare = value },
                    _ => throw new ArgumentException($"unknown override {key} (ngram-credit, ngram-share)"),
                },
            };
        }
        var evidenceScorer = new EvidenceScorer(analyzer);
        var scorer = new SentenceScorer(analyzer, options.ExtractiveScoring);
        string Normalized(string text) => string.Join(' ', analyzer.Normalize(text).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        await using var writer = new StreamWriter(args[1]);
        foreach (var q in dataset.Questions)
        {
            var question = q.Text.Trim();
            var hits = (await retriever.SearchManyAsync([question], options.Passages, cancellationToken: cancellationToken)).Hits;
            var evidence = await evidenceScorer.ScoreAsync([question], hits, store, cancellationToken);
            var passages = hits.Select((h, i) => new Passage(i + 1, h.DocumentId, h.Title, h.Outlet, h.Date, h.Language, h.Text, h.Start, h.End,
                Math.Round(h.Score, 6))).ToList();
            var stats = store is ITermStatisticsSource source
                ? await source.GetTermStatisticsAsync(analyzer.Terms(question).ToList(), cancellationToken)
                : TermStatistics.Empty;
            var sentences = scorer.Score(question, passages, stats, out var kind);
            var gold = negatives ? [] : q.Answers.Select(Normalized).Where(a => a.Length > 0).ToList();
            var goldId = negatives ? null : SquadEvaluator.PassageId(q.PassageIndex);
            var line = new
            {
                id = q.Id,
                question,
                kind = kind.ToString(),
                words = analyzer.Terms(question).Distinct(StringComparer.Ordinal).Count(),
                evidence,
                chunks = stats.TotalChunks,
                df = stats.DocumentFrequency,
                passages = passages.Select(p => new { n = p.Number, score = p.Score, gold = p.DocumentId == goldId, lang = p.Language }).ToList(),
                sentences = sentences.Select(s => new
                {
                    p = s.Passage.Number,
                    i = s.Index,
                    cov = s.Support,
                    pcov = s.PassageCoverage,
                    prox = s.Proximity,
                    nb = s.Neighbour,
                    holds = s.HoldsAnswerKind,
                    score = s.Score,
                    covered = s.Covered,
                    len = s.Range.Length,
                    norm = Normalized(s.Text),
                    has = gold.Any(a => Normalized(s.Text).Contains(a, StringComparison.Ordinal)),
                }).ToList(),
            };
            await writer.WriteLineAsync(JsonSerializer.Serialize(line).AsMemory(), cancellationToken);
        }
        SqliteIndexStore.ClearPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        return 0;
    }
}

using PolicyChat.Core.Answering;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Evaluation;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Calibrates Answer:AbstainBelow on data. The sample corpus is indexed; the evidence score (EvidenceScorer) is
/// computed for questions the collection answers (the gold set's same-language and follow-up questions, the latter in
/// their standalone form from the history) and for questions it cannot answer (every XQuAD question, Arabic and
/// English, plus the gold set's unanswerable ones). The threshold that maximizes balanced accuracy is printed with both
/// error rates. Cross-lingual gold questions are reported apart: without a model only their
/// Latin-script names and numbers can match a passage in the other language. Args: [gold=corpus/gold/answers.json]
/// </summary>
internal sealed class AbstentionCalibration : IBenchmark
{
    public string Name => "abstention";

    public string Description => "calibrate the abstention threshold: gold questions vs XQuAD questions on the sample corpus";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var repo = Repo.Root();
        var goldPath = args.Length > 0 ? args[0] : Path.Combine(repo, "corpus", "gold", "answers.json");
        var gold = AnswerGoldSet.Load(goldPath);
        var folder = Path.Combine(Path.GetTempPath(), "policychat-abstention-" + Guid.NewGuid().ToString("N"));
        await using var store = new SqliteIndexStore(new SqliteIndexOptions { Path = Path.Combine(folder, "index.db") });
        var analyzer = TextAnalyzer.Default;
        var pipeline = new IngestionPipeline(store, new DocumentLoader(new DocumentLoaderOptions()),
            new DocumentIndexer(analyzer, new Chunker(new ChunkingOptions())), new IngestionOptions());
        await pipeline.IngestAsync([gold.CorpusFolder(goldPath)], cancellationToken: cancellationToken);
        var retriever = new HybridRetriever(store, analyzer, new RetrievalOptions());
        var scorer = new EvidenceScorer(analyzer);
        var passages = new AnswerOptions().Passages;

        async Task<double> Score(string question)
        {
            var hits = (await retriever.SearchAsync(question, passages, cancellationToken: cancellationToken)).Hits;
            return await scorer.ScoreAsync([question], hits, store, cancellationToken);
        }

        var positives = new List<double>();
        foreach (var q in gold.Questions.Where(q => q.Kind is GoldQuestion.SameLanguage))
        {
            positives.Add(await Score(q.Question));
        }
        // Not used to choose the threshold: without a model only their Latin-script names can match (EvidenceScorer).
        var crossLingual = new List<double>();
        foreach (var q in gold.Questions.Where(q => q.Kind is GoldQuestion.CrossLingual))
        {
            crossLingual.Add(await Score(q.Question));
        }
        var negatives = new List<double>();
        var negativesWithNames = 0;
        foreach (var q in gold.Questions.Where(q => !q.Answerable))
        {
            negatives.Add(await Score(q.Question));
        }
        var xquad = Path.Combine(repo, "..", "shared", "eval", "xquad");
        foreach (var file in new[] { "xquad.ar.json", "xquad.en.json" })
        {
            foreach (var q in SquadDataset.Load(Path.Combine(xquad, file)).Questions)
            {
                negatives.Add(await Score(q.Text));
                negativesWithNames += CrossLanguageAnchors.Find(q.Text, analyzer).Any(a => a.IsName) ? 1 : 0;
            }
        }

        var best = (Threshold: 0.0, Balanced: 0.0, Tpr: 0.0, Tnr: 0.0);
        for (var t = 0.05; t <= 0.95; t += 0.01)
        {
            var tpr = positives.Count(s => s >= t) / (double)positives.Count;
            var tnr = negatives.Count(s => s < t) / (double)negatives.Count;
            if ((tpr + tnr) / 2 > best.Balanced + 1e-9)
            {
                best = (t, (tpr + tnr) / 2, tpr, tnr);
            }
        }
        foreach (var t in new[] { 0.40, 0.45, 0.50, 0.55, 0.60 })
        {
            Console.WriteLine($"  threshold {t:0.00}: answers {positives.Count(s => s >= t) / (double)positives.Count:P1}, abstains on {negatives.Count(s => s < t) / (double)negatives.Count:P2}");
        }
        var current = new AnswerOptions().AbstainBelow;
        Console.WriteLine($"answerable questions: {positives.Count}, evidence min {positives.Min():0.000}, median {Stats.Median(positives):0.000}");
        Console.WriteLine($"unanswerable questions: {negatives.Count} (gold {gold.Questions.Count(q => !q.Answerable)} + XQuAD ar/en), evidence median {Stats.Median(negatives):0.000}, p95 {Stats.Percentile(negatives, 0.95):0.000}, max {negatives.Max():0.000}");
        Console.WriteLine($"best threshold {best.Threshold:0.00}: answers {best.Tpr:P1} of answerable, abstains on {best.Tnr:P1} of unanswerable (balanced accuracy {best.Balanced:0.000})");
        var cTpr = positives.Count(s => s >= current) / (double)positives.Count;
        var cTnr = negatives.Count(s => s < current) / (double)negatives.Count;
        Console.WriteLine($"configured Answer:AbstainBelow {current:0.00}: answers {cTpr:P1}, abstains on {cTnr:P1}");
        Console.WriteLine($"cross-lingual gold questions (no translation): {crossLingual.Count(s => s >= current)} of {crossLingual.Count} answered at {current:0.00}; "
            + $"XQuAD questions naming a Latin-script name (cross-language anchors): {negativesWithNames}");
        SqliteIndexStore.ClearPools();
        return 0;
    }
}

using System.Text.Json.Nodes;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Storage.Sqlite;

namespace PolicyChat.Core.Tests.Cli;

/// <summary>The sample corpus ingested once by the CLI, for the search, ask and eval verbs.</summary>
public sealed class CliIndexFixture : IAsyncLifetime
{
    public string Root { get; } = TestPaths.NewTempDirectory();

    public string Db => Path.Combine(Root, "index.db");

    public JsonNode Ingestion { get; private set; } = null!;

    public string IdOf(string fileName) =>
        (string)Ingestion["results"]!.AsArray().Single(r => Path.GetFileName((string)r!["path"]!) == fileName)!["document_id"]!;

    public async Task InitializeAsync()
    {
        var result = await PolicyChatCli.RunAsync(Root, "ingest", TestPaths.Corpus, "--db", Db, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        Ingestion = result.Json;
    }

    public Task DisposeAsync()
    {
        SqliteIndexStore.ClearPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS.
        }
        return Task.CompletedTask;
    }
}

public sealed class CliQueryTests(CliIndexFixture index) : IClassFixture<CliIndexFixture>
{
    private const string ShanghaiFile = "000_8ed96be78e0ce9ee.txt";

    [Fact]
    public async Task Search_Json_PrintsRankedHitsWithOffsets()
    {
        var result = await PolicyChatCli.RunAsync(index.Root, "search", "مشروع مفتوح المصدر شنغهاي", "--db", index.Db, "--json", "-k", "3");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json;
        Assert.Equal(["query", "language", "elapsed_ms", "hits"], json.AsObject().Select(p => p.Key));
        Assert.Equal("ar", (string?)json["language"]);
        var hits = json["hits"]!.AsArray();
        Assert.Equal(3, hits.Count);
        Assert.Equal([1, 2, 3], hits.Select(h => (int)h!["rank"]!));
        Assert.Equal(index.IdOf(ShanghaiFile), (string?)hits[0]!["document_id"]);
        var scores = hits.Select(h => (double)h!["score"]!).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.All(hits, h =>
        {
            Assert.Equal(["rank", "score", "document_id", "title", "language", "date", "outlet", "ordinal", "start", "end", "text"], h!.AsObject().Select(p => p.Key));
            Assert.True((int)h["end"]! > (int)h["start"]!);
            Assert.False(string.IsNullOrWhiteSpace((string?)h["text"]));
        });
    }

    [Fact]
    public async Task Search_EmptyQuery_ExitsWithUsageError()
    {
        var result = await PolicyChatCli.RunAsync(index.Root, "search", " ", "--db", index.Db);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("الاستعلام فارغ", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_Json_PrintsTheAnswerWithVerifiableCitations()
    {
        var result = await PolicyChatCli.RunAsync(index.Root, "ask", "كم شركة تستهدف خطة عمل شنغهاي إنشاءها؟", "--db", index.Db, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json.AsObject();
        foreach (var key in new[] { "answer", "language", "mode", "citations", "passages", "conversation_id", "standalone_question", "evidence" })
        {
            Assert.True(json.ContainsKey(key), $"missing '{key}' in {result.StdOut}");
        }
        Assert.Equal("ar", (string?)json["language"]);
        Assert.Equal(AnswerModes.Extractive, (string?)json["mode"]);
        Assert.StartsWith(AnswerText.ExtractiveLead("ar"), (string?)json["answer"], StringComparison.Ordinal);
        var passages = json["passages"]!.AsArray();
        Assert.Equal(index.IdOf(ShanghaiFile), (string?)passages[0]!["document_id"]);
        var citations = json["citations"]!.AsArray();
        Assert.NotEmpty(citations);
        Assert.All(citations, c =>
        {
            var marker = (int)c!["marker"]!;
            Assert.Contains($"[{marker}]", (string?)json["answer"], StringComparison.Ordinal);
            Assert.Equal((string?)passages[marker - 1]!["document_id"], (string?)c["document_id"]);
            Assert.True((int)c["end"]! - (int)c["start"]! == ((string)c["quote"]!).Length);
        });
        Assert.Contains(citations, c => ((string)c!["quote"]!).Contains("100 شركة", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ask_Unanswerable_PrintsTheNotFoundTextAndExitsZero()
    {
        var result = await PolicyChatCli.RunAsync(index.Root, "ask", "Who won the 2022 FIFA World Cup?", "--db", index.Db);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(AnswerText.NotFound("en"), result.StdOut, StringComparison.Ordinal);
        Assert.Contains("mode: abstained", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_EmptyQuestion_ExitsWithTheValidationMessage()
    {
        var result = await PolicyChatCli.RunAsync(index.Root, "ask", "", "--db", index.Db, "--json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(AnswerText.EmptyQuestion("en"), result.StdErr, StringComparison.Ordinal);
        Assert.Equal("", result.StdOut.Trim());
    }

    [Fact]
    public async Task EvalSquad_TinyFile_PrintsRetrievalMetricsAsJson()
    {
        var squad = Path.Combine(index.Root, "tiny-squad.json");
        await File.WriteAllTextAsync(squad, TinySquad.ToJsonString());

        var result = await PolicyChatCli.RunAsync(index.Root, "eval", "squad", squad, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json;
        Assert.Equal(["questions", "recall_at_1", "recall_at_5", "recall_at_10", "mrr_at_10", "p50_ms", "p95_ms"], json.AsObject().Select(p => p.Key));
        Assert.Equal(4, (int)json["questions"]!);
        var r1 = (double)json["recall_at_1"]!;
        var r5 = (double)json["recall_at_5"]!;
        var r10 = (double)json["recall_at_10"]!;
        Assert.True(r1 >= 0.75, result.StdOut);
        Assert.True(r1 <= r5 && r5 <= r10 && r10 <= 1.0, result.StdOut);
        Assert.InRange((double)json["mrr_at_10"]!, r1, 1.0);
        Assert.True((double)json["p50_ms"]! > 0);
        Assert.True((double)json["p95_ms"]! >= (double)json["p50_ms"]!);
    }

    private static JsonObject TinySquad => new()
    {
        ["version"] = "1.1",
        ["data"] = new JsonArray(
            Article("Kelp_forests",
                ("Kelp forests grow in cold, nutrient-rich coastal waters and shelter sea otters, urchins and many fish species.",
                    [("k1", "Which animals do kelp forests shelter?")]),
                ("Giant kelp can grow up to half a metre per day, making it one of the fastest-growing organisms on Earth.",
                    [("k2", "How fast can giant kelp grow per day?")])),
            Article("Volcanoes",
                ("Basaltic lava from shield volcanoes flows far because it has low viscosity, as on the island of Hawaii.",
                    [("v1", "Why does basaltic lava from shield volcanoes flow far?"), ("v2", "Which island has shield volcanoes with basaltic lava?")]))),
    };

    private static JsonObject Article(string title, params (string Context, (string Id, string Question)[] Qas)[] paragraphs) => new()
    {
        ["title"] = title,
        ["paragraphs"] = new JsonArray([.. paragraphs.Select(p => (JsonNode)new JsonObject
        {
            ["context"] = p.Context,
            ["qas"] = new JsonArray([.. p.Qas.Select(q => (JsonNode)new JsonObject { ["id"] = q.Id, ["question"] = q.Question, ["answers"] = new JsonArray() })]),
        })]),
    };
}

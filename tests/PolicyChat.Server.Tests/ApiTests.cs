using System.Net;
using System.Text;
using System.Text.Json;

namespace PolicyChat.Server.Tests;

/// <summary>The REST API without a model (extractive answers), open (no keys).</summary>
public sealed class ApiTests(ExtractiveServerFixture server) : IClassFixture<ExtractiveServerFixture>
{
    private const string EnglishQuestion = "How many research teams does the National Protein Science Facility in Shanghai support?";
    private const string ArabicQuestion = "كم مشروعًا مفتوح المصدر تهدف شنغهاي إلى إنشائه خلال العامين المقبلين؟";

    [Fact]
    public async Task Healthz_ProcessUp_ReturnsOk()
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await Json.ReadAsync(response)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_SeededIndexWithoutModel_ReportsDocumentsSeedingAndExtractiveMode()
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json.ReadAsync(response);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal(5, body.GetProperty("index").GetProperty("documents").GetInt32());
        Assert.Equal("completed", body.GetProperty("seeding").GetProperty("state").GetString());
        Assert.Equal(5, body.GetProperty("seeding").GetProperty("added").GetInt32());
        Assert.False(body.GetProperty("model").GetProperty("enabled").GetBoolean());
        Assert.Equal("extractive", body.GetProperty("answer_mode").GetString());
    }

    [Fact]
    public async Task Readyz_AfterSeeding_ReportsTheSearchIndexWarmedUpInTheBackground()
    {
        using var client = server.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        bool warm;
        do
        {
            var body = await Json.ReadAsync(await client.GetAsync("/readyz"));
            warm = body.GetProperty("index").GetProperty("warm").GetBoolean();
            if (!warm)
            {
                await Task.Delay(50);
            }
        }
        while (!warm && DateTime.UtcNow < deadline);

        Assert.True(warm, "index.warm never became true");
        // The warm-up service built it (a search would not log this line).
        Assert.Contains(server.Log.Entries, e => e.Category.EndsWith(".IndexWarmUp", StringComparison.Ordinal)
            && e.Message.StartsWith("Search index loaded into memory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenApi_Document_ListsEveryEndpoint()
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = (await Json.ReadAsync(response)).GetProperty("paths");
        foreach (var path in new[] { "/api/ask", "/api/ask/stream", "/api/search", "/api/documents", "/api/documents/{id}", "/v1/chat/completions", "/v1/models", "/readyz" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path + " missing from the OpenAPI document");
        }
    }

    [Fact]
    public async Task Root_WebRootHasIndexHtml_ServesIt()
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ServerFixture.PagePlaceholder, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownRoute_Get_Returns404Problem()
    {
        using var client = server.CreateClient();
        await Json.AssertProblemAsync(await client.GetAsync("/api/nothing-here"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Search_KnownTerm_ReturnsRankedHitsInSnakeCase()
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync("/api/search?q=" + Uri.EscapeDataString("DeepSeek") + "&k=3");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json.ReadAsync(response);
        Assert.Equal("DeepSeek", body.GetProperty("query").GetString());
        var hits = body.GetProperty("hits").EnumerateArray().ToList();
        Assert.InRange(hits.Count, 1, 3);
        Assert.Equal(1, hits[0].GetProperty("rank").GetInt32());
        Assert.Contains("DeepSeek", hits[0].GetProperty("title").GetString());
        Assert.True(hits[0].TryGetProperty("document_id", out _));
        Assert.Contains("DeepSeek", hits[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("", "empty_query")]
    [InlineData("q=%20%20", "empty_query")]
    [InlineData("q=DeepSeek&k=0", "invalid_k")]
    [InlineData("q=DeepSeek&k=51", "invalid_k")]
    public async Task Search_BadParameters_Returns400Problem(string query, string code)
    {
        using var client = server.CreateClient();
        await Json.AssertProblemAsync(await client.GetAsync("/api/search?" + query), HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Ask_AnswerableQuestion_ReturnsExtractiveAnswerWithCitations()
    {
        using var client = server.CreateClient();
        var response = await client.PostAsync("/api/ask", Json.Body(new { question = EnglishQuestion }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json.ReadAsync(response);
        Assert.Equal("extractive", body.GetProperty("mode").GetString());
        Assert.Equal("en", body.GetProperty("language").GetString());
        Assert.Contains("2,500", body.GetProperty("answer").GetString());
        var citation = body.GetProperty("citations").EnumerateArray().First();
        Assert.True(citation.GetProperty("marker").GetInt32() >= 1);
        Assert.Contains("2,500", citation.GetProperty("quote").GetString());
        Assert.NotEmpty(body.GetProperty("passages").EnumerateArray());
        Assert.Equal(32, body.GetProperty("conversation_id").GetString()!.Length);
        Assert.Equal(EnglishQuestion, body.GetProperty("standalone_question").GetString());
        Assert.True(body.GetProperty("timings").TryGetProperty("total_ms", out _));
    }

    [Fact]
    public async Task Ask_FollowUpWithConversationId_KeepsTheConversation()
    {
        using var client = server.CreateClient();
        var first = await Json.ReadAsync(await client.PostAsync("/api/ask", Json.Body(new { question = ArabicQuestion })));
        var id = first.GetProperty("conversation_id").GetString();
        var second = await client.PostAsync("/api/ask", Json.Body(new { question = "وماذا عن الشركات؟", conversation_id = id }));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var body = await Json.ReadAsync(second);
        Assert.Equal(id, body.GetProperty("conversation_id").GetString());
        Assert.Contains("شنغهاي", body.GetProperty("standalone_question").GetString());
    }

    [Fact]
    public async Task Ask_UnanswerableQuestion_Abstains()
    {
        using var client = server.CreateClient();
        var body = await Json.ReadAsync(await client.PostAsync("/api/ask", Json.Body(new { question = "What is the boiling point of liquid nitrogen on Mars?" })));
        Assert.Equal("abstained", body.GetProperty("mode").GetString());
        Assert.Empty(body.GetProperty("citations").EnumerateArray());
    }

    [Fact]
    public async Task Ask_EmptyQuestion_Returns400InEnglish()
    {
        using var client = server.CreateClient();
        var problem = await Json.AssertProblemAsync(await client.PostAsync("/api/ask", Json.Body(new { question = "  " })), HttpStatusCode.BadRequest, "empty_question");
        Assert.False(Json.HasArabic(problem.GetProperty("detail").GetString()!));
        Assert.Equal("en", problem.GetProperty("language").GetString());
    }

    [Fact]
    public async Task Ask_EmptyQuestionWithArabicAcceptLanguage_Returns400InArabic()
    {
        using var client = server.CreateClient(language: "ar");
        var problem = await Json.AssertProblemAsync(await client.PostAsync("/api/ask", Json.Body(new { question = "" })), HttpStatusCode.BadRequest, "empty_question");
        Assert.True(Json.HasArabic(problem.GetProperty("detail").GetString()!));
    }

    [Fact]
    public async Task Ask_QuestionOverTheLimit_Returns400QuestionTooLong()
    {
        using var client = server.CreateClient();
        var response = await client.PostAsync("/api/ask", Json.Body(new { question = new string('a', 2001) }));
        var problem = await Json.AssertProblemAsync(response, HttpStatusCode.BadRequest, "question_too_long");
        Assert.Contains("2000", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Ask_MalformedConversationId_Returns400()
    {
        using var client = server.CreateClient();
        var response = await client.PostAsync("/api/ask", Json.Body(new { question = EnglishQuestion, conversation_id = "../../etc/passwd" }));
        await Json.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_conversation_id");
    }

    [Fact]
    public async Task Ask_InvalidJson_Returns400Problem()
    {
        using var client = server.CreateClient();
        var response = await client.PostAsync("/api/ask", new StringContent("{\"question\":", Encoding.UTF8, "application/json"));
        await Json.AssertProblemAsync(response, HttpStatusCode.BadRequest, "bad_request");
    }

    [Fact]
    public async Task AskStream_AnswerableQuestion_SendsSourcesDeltasCitationsDoneInOrder()
    {
        using var client = server.CreateClient();
        var response = await client.PostAsync("/api/ask/stream", Json.Body(new { question = EnglishQuestion }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = SseEvents.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("sources", events[0].Event);
        Assert.Equal("done", events[^1].Event);
        Assert.Equal("citations", events[^2].Event);
        Assert.All(events[1..^2], e => Assert.Equal("delta", e.Event));
        Assert.NotEmpty(events[1..^2]);
        foreach (var e in events)
        {
            Assert.Equal(e.Event, e.Data.GetProperty("type").GetString());
        }
        Assert.NotEmpty(events[0].Data.GetProperty("passages").EnumerateArray());
        var done = events[^1].Data;
        Assert.Equal("extractive", done.GetProperty("mode").GetString());
        Assert.True(done.TryGetProperty("conversation_id", out _));
        Assert.Contains("2,500", string.Concat(events.Where(e => e.Event == "delta").Select(e => e.Data.GetProperty("text").GetString())));
    }

    [Fact]
    public async Task AskStream_EmptyQuestion_Returns400BeforeStreaming()
    {
        using var client = server.CreateClient();
        await Json.AssertProblemAsync(await client.PostAsync("/api/ask/stream", Json.Body(new { question = "" })), HttpStatusCode.BadRequest, "empty_question");
    }

    [Fact]
    public async Task Documents_List_ReturnsTheSeededCorpusWithoutServerPaths()
    {
        using var client = server.CreateClient();
        var body = await Json.ReadAsync(await client.GetAsync("/api/documents"));
        Assert.Equal(5, body.GetProperty("count").GetInt32());
        var documents = body.GetProperty("documents").EnumerateArray().ToList();
        Assert.Contains(documents, d => d.GetProperty("source").GetString() == "003_49fd475c3f1fefe0.txt" && d.GetProperty("language").GetString() == "en");
        Assert.All(documents, d => Assert.DoesNotContain("/", d.GetProperty("source").GetString()));
        Assert.All(documents, d => Assert.True(d.GetProperty("chunk_count").GetInt32() > 0));
    }

    [Fact]
    public async Task Documents_GetById_ReturnsTextThatCitationOffsetsIndexInto()
    {
        using var client = server.CreateClient();
        var answer = await Json.ReadAsync(await client.PostAsync("/api/ask", Json.Body(new { question = EnglishQuestion })));
        var citation = answer.GetProperty("citations").EnumerateArray().First();
        var response = await client.GetAsync("/api/documents/" + citation.GetProperty("document_id").GetString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await Json.ReadAsync(response);
        var text = document.GetProperty("text").GetString()!;
        Assert.Equal(text.Length, document.GetProperty("length").GetInt32());
        var start = citation.GetProperty("start").GetInt32();
        var end = citation.GetProperty("end").GetInt32();
        Assert.Equal(citation.GetProperty("quote").GetString(), text[start..end]);
    }

    [Fact]
    public async Task Documents_GetUnknownId_Returns404InCallersLanguage()
    {
        using var english = server.CreateClient();
        var problem = await Json.AssertProblemAsync(await english.GetAsync("/api/documents/no-such-document"), HttpStatusCode.NotFound, "document_not_found");
        Assert.False(Json.HasArabic(problem.GetProperty("detail").GetString()!));
        using var arabic = server.CreateClient(language: "ar-EG");
        var arabicProblem = await Json.AssertProblemAsync(await arabic.GetAsync("/api/documents/no-such-document"), HttpStatusCode.NotFound, "document_not_found");
        Assert.True(Json.HasArabic(arabicProblem.GetProperty("detail").GetString()!));
    }

    [Fact]
    public async Task Models_List_ReturnsPolicyChat()
    {
        using var client = server.CreateClient();
        var body = await Json.ReadAsync(await client.GetAsync("/v1/models"));
        Assert.Equal("list", body.GetProperty("object").GetString());
        var model = Assert.Single(body.GetProperty("data").EnumerateArray());
        Assert.Equal("policychat", model.GetProperty("id").GetString());
        Assert.Equal("model", model.GetProperty("object").GetString());
    }
}

/// <summary>A parsed Server-Sent Event.</summary>
internal sealed record SseEvent(string? Event, string RawData)
{
    public JsonElement Data => JsonDocument.Parse(RawData).RootElement.Clone();
}

internal static class SseEvents
{
    public static List<SseEvent> Parse(string text)
    {
        var events = new List<SseEvent>();
        foreach (var block in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new StringBuilder();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line[6..]);
                }
            }
            events.Add(new SseEvent(name, data.ToString()));
        }
        return events;
    }
}

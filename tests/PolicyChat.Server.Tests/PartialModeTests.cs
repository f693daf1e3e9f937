using System.Net;
using System.Text.Json;
using PolicyChat.Server.Tests.Hub;

namespace PolicyChat.Server.Tests;

/// <summary>
/// The partial outcome (closest passages, no claims) on every surface: REST, SSE, the hub and /v1. The thresholds are set
/// so that any question with passages is partial (answer threshold 1, partial threshold 0).
/// </summary>
public sealed class PartialModeTests(PartialServerFixture server) : IClassFixture<PartialServerFixture>
{
    private const string Question = "How many research teams does the National Protein Science Facility in Shanghai support?";
    // "…on Mars": a word no passage holds keeps the passage evidence below 1 (AbstainBelow), so the confidence decides.
    private const string ArabicQuestion = "كم مشروعًا مفتوح المصدر تهدف شنغهاي إلى إنشائه على المريخ؟";

    [Fact]
    public async Task Ask_EvidenceBetweenTheThresholds_ReturnsModePartialWithPassagesAndNoCitations()
    {
        using var client = server.CreateClient();
        var body = await Json.ReadAsync(await client.PostAsync("/api/ask", Json.Body(new { question = Question })));

        Assert.Equal("partial", body.GetProperty("mode").GetString());
        Assert.Empty(body.GetProperty("citations").EnumerateArray());
        Assert.NotEmpty(body.GetProperty("passages").EnumerateArray());
        Assert.Equal("The collection does not answer this directly; the closest passages are shown in the sources.", body.GetProperty("answer").GetString());
        var evidence = body.GetProperty("evidence");
        Assert.True(evidence.GetProperty("support").GetDouble() >= 0);
        Assert.Equal(1, evidence.GetProperty("answer_threshold").GetDouble());
    }

    [Fact]
    public async Task Ask_ArabicQuestion_PartialAnswerIsInArabic()
    {
        using var client = server.CreateClient();
        var body = await Json.ReadAsync(await client.PostAsync("/api/ask", Json.Body(new { question = ArabicQuestion })));

        Assert.Equal("partial", body.GetProperty("mode").GetString());
        Assert.True(Json.HasArabic(body.GetProperty("answer").GetString()!));
        Assert.True(Json.HasArabic(body.GetProperty("notice").GetString()!));
    }

    [Fact]
    public async Task AskStream_Partial_DoneEventCarriesModePartial()
    {
        using var client = server.CreateClient();
        var response = await client.PostAsync("/api/ask/stream", Json.Body(new { question = Question }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = SseEvents.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(["sources", "delta", "citations", "done"], events.Select(e => e.Event));
        Assert.NotEmpty(events[0].Data.GetProperty("passages").EnumerateArray());
        Assert.Empty(events[2].Data.GetProperty("citations").EnumerateArray());
        Assert.Equal("partial", events[^1].Data.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Hub_Partial_DoneEventCarriesModePartial()
    {
        await using var hub = await server.ConnectHubAsync();
        var events = await ChatHubTests.ReadAllAsync(await hub.StreamAsync("Ask", [new { question = Question }]));

        Assert.Equal("partial", events[^1].GetProperty("mode").GetString());
        Assert.Empty(events[^2].GetProperty("citations").EnumerateArray());
    }

    [Fact]
    public async Task OpenAiCompletion_Partial_CarriesModePartial()
    {
        using var client = server.CreateClient();
        var response = await client.PostAsync("/v1/chat/completions",
            Json.Body(new { model = "policychat", messages = new[] { new { role = "user", content = Question } } }));
        var body = await Json.ReadAsync(response);

        Assert.Equal("partial", body.GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.String, body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").ValueKind);
    }

    [Fact]
    public async Task OpenAiStream_Partial_LastChunkCarriesModePartial()
    {
        using var client = server.CreateClient();
        var response = await client.PostAsync("/v1/chat/completions",
            Json.Body(new { model = "policychat", stream = true, messages = new[] { new { role = "user", content = Question } } }));
        var chunks = SseEvents.Parse(await response.Content.ReadAsStringAsync()).Where(e => e.RawData != "[DONE]").Select(e => e.Data).ToList();

        Assert.Contains(chunks, c => c.TryGetProperty("mode", out var mode) && mode.GetString() == "partial");
    }
}

/// <summary>No model; thresholds that make every question with passages partial.</summary>
public sealed class PartialServerFixture : ServerFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Answer:ExtractivePartialEvidence", "0"),
        new("Answer:ExtractiveAnswerEvidence", "1"),
        new("Answer:AbstainBelow", "1"),
    ];
}

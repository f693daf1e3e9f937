using System.Text;
using System.Text.Json.Nodes;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Models;

/// <summary>The scripted server really puts each quirk on the wire (otherwise the client tests would prove nothing).</summary>
public sealed class ScriptedOpenAiServerTests : ModelTestBase
{
    private async Task<(int Status, string ContentType, string Body)> PostChatAsync(bool stream, string model = "m")
    {
        var json = $"{{\"model\":\"{model}\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"q\"}}]}}";
        using var response = await Http.PostAsync(Server.BaseUrl + ScriptedOpenAiServer.ChatPath, new StringContent(json, Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", await response.Content.ReadAsStringAsync());
    }

    private static List<JsonNode> DataEvents(string sse) =>
        [.. sse.Split('\n')
            .Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l["data: ".Length..])!)];

    [Fact]
    public async Task Chat_PlainStream_SendsChunksFinishUsageAndDone()
    {
        Server.EnqueueChat(ScriptedReply.Text("a b c"));

        var (status, contentType, body) = await PostChatAsync(stream: true);

        Assert.Equal(200, status);
        Assert.Equal("text/event-stream", contentType);
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        var events = DataEvents(body);
        Assert.Equal("a b c", string.Concat(events.Select(e => (string?)e["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"])));
        Assert.Equal("stop", (string?)events[^2]["choices"]![0]!["finish_reason"]);
        Assert.Empty(events[^1]["choices"]!.AsArray());
        Assert.Equal(3, (int)events[^1]["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task Chat_AllTolerableQuirks_AreOnTheWire()
    {
        Server.EnqueueChat(ScriptedReply.Quirk(StreamQuirks.AllTolerable, "x y", UsageMode.Inline));

        var (_, _, body) = await PostChatAsync(stream: true);

        Assert.Contains(": keep-alive\n", body, StringComparison.Ordinal);
        Assert.Contains("\n\n\n", body, StringComparison.Ordinal);
        var events = DataEvents(body);
        Assert.Contains(events, e => e["choices"]!.AsArray().Count == 0);
        Assert.Contains(events, e => e["choices"]!.AsArray().FirstOrDefault()?["delta"] is JsonObject d && d.ContainsKey("content") && d["content"] is null);
        Assert.Contains(events, e => e["choices"]!.AsArray().FirstOrDefault()?["delta"] is JsonObject d && d.Count == 0 && e["choices"]![0]!["finish_reason"] is null);
        Assert.Contains(events, e => e["choices"]!.AsArray().FirstOrDefault()?["delta"] is JsonObject d && d.Count == 0 && (string?)e["choices"]![0]!["finish_reason"] == "stop" && e["usage"] is not null);
        Assert.Contains(events, e => e["timings"] is not null);
        Assert.Contains(events, e => e["choices"]!.AsArray().FirstOrDefault()?["delta"]?["reasoning_content"] is not null);
    }

    [Fact]
    public async Task Chat_NonStreaming_ReturnsCompletionObject()
    {
        Server.EnqueueChat(ScriptedReply.Text("whole answer"));

        var (status, contentType, body) = await PostChatAsync(stream: false, model: "qwen2.5:7b");

        Assert.Equal(200, status);
        Assert.Equal("application/json", contentType);
        var completion = JsonNode.Parse(body)!;
        Assert.Equal("chat.completion", (string?)completion["object"]);
        Assert.Equal("qwen2.5:7b", (string?)completion["model"]);
        Assert.Equal("whole answer", (string?)completion["choices"]![0]!["message"]!["content"]);
    }

    [Fact]
    public async Task Chat_QueueThenHandler_AnswersInOrderAndRecordsRequests()
    {
        Server.ChatHandler = request => ScriptedReply.Text("echo " + request.Messages[^1].Content);
        Server.EnqueueChat(ScriptedReply.Text("first"));

        var first = await PostChatAsync(stream: false);
        var second = await PostChatAsync(stream: false);

        Assert.Contains("\"first\"", first.Body, StringComparison.Ordinal);
        Assert.Contains("\"echo q\"", second.Body, StringComparison.Ordinal);
        Assert.Equal(2, Server.ChatRequests.Count);
        Assert.All(Server.ChatRequests, r => Assert.False(r.Stream));
    }

    [Fact]
    public async Task Chat_ModelNotFound_SendsOllamaText()
    {
        Server.EnqueueChat(ScriptedReply.ModelNotFound("m"));

        var (status, _, body) = await PostChatAsync(stream: true);

        Assert.Equal(404, status);
        Assert.Equal("model \"m\" not found, try pulling it first", (string?)JsonNode.Parse(body)!["error"]!["message"]);
    }

    [Fact]
    public async Task Embeddings_Base64Requested_ReturnsDecodableFloats()
    {
        var json = "{\"model\":\"e\",\"input\":[\"hello world\"],\"encoding_format\":\"base64\",\"dimensions\":8}";
        using var response = await Http.PostAsync(Server.BaseUrl + ScriptedOpenAiServer.EmbeddingsPath, new StringContent(json, Encoding.UTF8, "application/json"));

        var item = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]![0]!;
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Convert.FromBase64String((string)item["embedding"]!)).ToArray();

        Assert.Equal(ScriptedEmbeddings.Embed("hello world", 8), floats);
    }

    [Fact]
    public void ScriptedEmbeddings_SharedWords_GivePositiveCosineAndUnitLength()
    {
        var a = ScriptedEmbeddings.Embed("حماية البيانات الشخصية", 64);
        var b = ScriptedEmbeddings.Embed("البيانات الشخصية", 64);
        var c = ScriptedEmbeddings.Embed("رياضة كرة القدم", 64);

        Assert.Equal(1.0, Math.Sqrt(a.Sum(x => (double)x * x)), 5);
        Assert.True(a.Zip(b).Sum(p => p.First * p.Second) > 0.5f);
        Assert.True(a.Zip(b).Sum(p => p.First * p.Second) > a.Zip(c).Sum(p => p.First * p.Second));
    }

    [Fact]
    public async Task UnknownRoute_Returns404PlainText()
    {
        using var response = await Http.GetAsync(Server.BaseUrl + "/api/tags");

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("404 page not found", await response.Content.ReadAsStringAsync());
    }
}

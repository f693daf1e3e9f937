using System.Net;
using System.Net.Http.Json;
using System.Text;
using PolicyChat.Server.Tests.Hub;

namespace PolicyChat.Server.Tests;

/// <summary>/api/history and /api/feedback over HTTP, with answers recorded by the hub under a browser identity.</summary>
public sealed class HistoryApiTests(SecuredServerFixture server) : IClassFixture<SecuredServerFixture>
{
    private const string Question = "How many research teams does the National Protein Science Facility in Shanghai support?";

    private static string NewIdentity() => Guid.NewGuid().ToString("N");

    private HttpClient Client(string identity, string? key = ServerFixture.UserKey, string? language = null)
    {
        var client = server.CreateClient(key, language);
        client.DefaultRequestHeaders.Add("X-Browser-Identity", identity);
        return client;
    }

    private async Task<string> AskThroughHubAsync(string identity, string? conversationId = null)
    {
        await using var hub = await server.ConnectHubAsync(ServerFixture.UserKey);
        var events = await ChatHubTests.ReadAllAsync(await hub.StreamAsync("Ask", [new { question = Question, identity, conversationId }]));
        Assert.Equal("done", events[^1].GetProperty("type").GetString());
        return events[^1].GetProperty("conversationId").GetString()!;
    }

    [Fact]
    public async Task HubAnswer_WithIdentity_IsListedAndReopensWithSourcesOnlyForThatIdentity()
    {
        var alice = NewIdentity();
        var id = await AskThroughHubAsync(alice);
        Assert.Equal(id, await AskThroughHubAsync(alice, id));

        using var client = Client(alice);
        var list = await Json.ReadAsync(await client.GetAsync("/api/history"));
        var entry = Assert.Single(list.GetProperty("conversations").EnumerateArray());
        Assert.Equal(id, entry.GetProperty("id").GetString());
        Assert.Equal(Question, entry.GetProperty("title").GetString());
        Assert.Equal(2, entry.GetProperty("turns").GetInt32());

        var conversation = await Json.ReadAsync(await client.GetAsync($"/api/history/{id}"));
        var turn = conversation.GetProperty("turns")[0];
        Assert.Equal(Question, turn.GetProperty("question").GetString());
        Assert.NotEmpty(turn.GetProperty("passages").EnumerateArray());
        Assert.NotEmpty(turn.GetProperty("citations").EnumerateArray());
        Assert.Equal("extractive", turn.GetProperty("mode").GetString());

        using var stranger = Client(NewIdentity());
        Assert.Empty((await Json.ReadAsync(await stranger.GetAsync("/api/history"))).GetProperty("conversations").EnumerateArray());
        await Json.AssertProblemAsync(await stranger.GetAsync($"/api/history/{id}"), HttpStatusCode.NotFound, "conversation_not_found");
        await Json.AssertProblemAsync(await stranger.DeleteAsync($"/api/history/{id}"), HttpStatusCode.NotFound, "conversation_not_found");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/history/{id}")).StatusCode);
    }

    [Fact]
    public async Task RenameExportFeedbackDelete_OwnConversation()
    {
        var identity = NewIdentity();
        var id = await AskThroughHubAsync(identity);
        using var client = Client(identity);

        Assert.Equal(HttpStatusCode.NoContent, (await client.PatchAsJsonAsync($"/api/history/{id}", new { title = "بروتين شنغهاي" })).StatusCode);
        await Json.AssertProblemAsync(await client.PatchAsJsonAsync($"/api/history/{id}", new { title = "  " }), HttpStatusCode.BadRequest, "empty_title");
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync($"/api/history/{id}/turns/0/feedback", new { rating = "down", comment = "too vague" })).StatusCode);
        await Json.AssertProblemAsync(await client.PutAsJsonAsync($"/api/history/{id}/turns/0/feedback", new { rating = "meh" }), HttpStatusCode.BadRequest, "invalid_rating");
        await Json.AssertProblemAsync(await client.PutAsJsonAsync($"/api/history/{id}/turns/5/feedback", new { rating = "up" }), HttpStatusCode.NotFound, "conversation_not_found");

        var export = await client.GetAsync($"/api/history/{id}/export");
        Assert.Equal("text/markdown", export.Content.Headers.ContentType?.MediaType);
        var markdown = await export.Content.ReadAsStringAsync();
        Assert.StartsWith("# بروتين شنغهاي", markdown, StringComparison.Ordinal);
        Assert.Contains("[^q1-1]: ", markdown, StringComparison.Ordinal);
        Assert.Contains("👎 too vague", markdown, StringComparison.Ordinal);

        // Administrators export the rated answers as evaluation cases, one JSON object a line.
        using var user = server.CreateClient(ServerFixture.UserKey);
        await Json.AssertProblemAsync(await user.GetAsync("/api/feedback"), HttpStatusCode.Forbidden, "forbidden");
        using var admin = server.CreateClient(ServerFixture.AdminKey);
        var feedback = await admin.GetAsync("/api/feedback?rating=down");
        Assert.Equal("application/x-ndjson", feedback.Content.Headers.ContentType?.MediaType);
        var lines = (await feedback.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var mine = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).Single(e => e.GetProperty("conversation_id").GetString() == id);
        Assert.Equal(("down", "too vague", Question), (mine.GetProperty("rating").GetString(), mine.GetProperty("comment").GetString(), mine.GetProperty("question").GetString()));
        await Json.AssertProblemAsync(await admin.GetAsync("/api/feedback?rating=sideways"), HttpStatusCode.BadRequest, "invalid_rating");

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/history/{id}")).StatusCode);
        await Json.AssertProblemAsync(await client.GetAsync($"/api/history/{id}"), HttpStatusCode.NotFound, "conversation_not_found");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("short")]
    public async Task History_MissingOrMalformedIdentity_IsA400InTheCallersLanguage(string? identity)
    {
        using var client = server.CreateClient(ServerFixture.UserKey, "ar");
        if (identity is not null)
        {
            client.DefaultRequestHeaders.Add("X-Browser-Identity", identity);
        }
        var body = await Json.AssertProblemAsync(await client.GetAsync("/api/history"), HttpStatusCode.BadRequest, "invalid_identity");
        Assert.True(Json.HasArabic(body.GetProperty("detail").GetString()!));
    }

    [Fact]
    public async Task History_WithoutKey_Is401()
    {
        using var client = Client(NewIdentity(), key: null);
        await Json.AssertProblemAsync(await client.GetAsync("/api/history"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Reindex_AdminKey_RebuildsPassagesAndUploadReasonsAreLocalized()
    {
        using var admin = server.CreateClient(ServerFixture.AdminKey, "ar");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes("Reindex me\n\nA short text about data policy in Rabat.\n")), "files", "reindex-me.txt" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("   \n")), "files", "blank.txt" },
        };
        var upload = await Json.ReadAsync(await admin.PostAsync("/api/documents/", form));
        var results = upload.GetProperty("results").EnumerateArray().ToList();
        var id = results.Single(r => r.GetProperty("file_name").GetString() == "reindex-me.txt").GetProperty("document_id").GetString()!;
        var blank = results.Single(r => r.GetProperty("file_name").GetString() == "blank.txt");
        Assert.NotEqual("added", blank.GetProperty("status").GetString());
        Assert.True(Json.HasArabic(blank.GetProperty("reason").GetString()!), "the reason should be in the caller's language");

        using var user = server.CreateClient(ServerFixture.UserKey);
        await Json.AssertProblemAsync(await user.PostAsync($"/api/documents/{id}/reindex", null), HttpStatusCode.Forbidden, "forbidden");
        var reindexed = await Json.ReadAsync(await admin.PostAsync($"/api/documents/{id}/reindex", null));
        Assert.Equal("updated", reindexed.GetProperty("status").GetString());
        Assert.True(reindexed.GetProperty("chunks").GetInt32() >= 1);
        await Json.AssertProblemAsync(await admin.PostAsync("/api/documents/no-such-document/reindex", null), HttpStatusCode.NotFound, "document_not_found");
        var document = await Json.ReadAsync(await user.GetAsync($"/api/documents/{id}"));
        Assert.Contains("data policy in Rabat", document.GetProperty("text").GetString(), StringComparison.Ordinal);
    }
}

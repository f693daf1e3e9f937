using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using PolicyChat.Testing;

namespace PolicyChat.Server.Tests;

/// <summary>POST /v1/chat/completions driven by the official OpenAI .NET client, plus the raw wire format.</summary>
public sealed class OpenAiCompatibleTests(ModelServerFixture server) : IClassFixture<ModelServerFixture>
{
    private const string Question = "How many research teams does the National Protein Science Facility in Shanghai support?";

    private ChatClient Client(string model = "policychat") => new(model, new ApiKeyCredential("not-needed-when-open"), new OpenAIClientOptions
    {
        Endpoint = new Uri(server.Factory.Server.BaseAddress, "/v1"),
        Transport = new HttpClientPipelineTransport(server.CreateClient()),
        RetryPolicy = new ClientRetryPolicy(0),
    });

    [Fact]
    public async Task CompleteChat_Question_ReturnsAnswerWithMarkersAndVerifiedCitations()
    {
        var result = await Client().CompleteChatAsync([new UserChatMessage(Question)]);

        var completion = result.Value;
        Assert.Equal("policychat", completion.Model);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Contains("[1]", completion.Content[0].Text);
        Assert.True(completion.Usage.TotalTokenCount > 0);

        using var raw = JsonDocument.Parse(result.GetRawResponse().Content);
        var message = raw.RootElement.GetProperty("choices")[0].GetProperty("message");
        var citation = message.GetProperty("citations").EnumerateArray().First();
        Assert.Equal(1, citation.GetProperty("marker").GetInt32());
        Assert.False(string.IsNullOrEmpty(citation.GetProperty("quote").GetString()));
        Assert.Equal("llm", raw.RootElement.GetProperty("mode").GetString());
        Assert.Equal(32, raw.RootElement.GetProperty("conversation_id").GetString()!.Length);
    }

    [Fact]
    public async Task CompleteChatStreaming_Question_StreamsTheAnswerAndEndsWithCitations()
    {
        var updates = new List<StreamingChatCompletionUpdate>();
        await foreach (var update in Client().CompleteChatStreamingAsync([new UserChatMessage(Question)]))
        {
            updates.Add(update);
        }

        var text = string.Concat(updates.SelectMany(u => u.ContentUpdate).Select(p => p.Text));
        Assert.Contains("[1]", text);
        Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.Stop);
        Assert.Contains(updates, u => u.Usage is { TotalTokenCount: > 0 });
        var final = updates.Single(u => u.FinishReason == ChatFinishReason.Stop);
        using var json = JsonDocument.Parse(ModelReaderWriter.Write(final));
        var citation = json.RootElement.GetProperty("citations").EnumerateArray().First();
        Assert.Equal(1, citation.GetProperty("marker").GetInt32());
    }

    [Fact]
    public async Task CompleteChat_EarlierMessages_BecomeTheConversationTheModelSees()
    {
        var before = server.Model!.ChatRequests.Count;
        ChatMessage[] messages =
        [
            new SystemChatMessage("You are helpful."),
            new UserChatMessage(Question),
            new AssistantChatMessage("Over 2,500 research teams [1]."),
            new UserChatMessage("and the Yangtze River Delta platform?"),
        ];
        var result = await Client().CompleteChatAsync(messages);

        Assert.NotEmpty(result.Value.Content[0].Text);
        var rewrite = server.Model.ChatRequests.Skip(before).First();
        Assert.Contains("National Protein Science Facility", rewrite.Messages[^1].Content);
        Assert.Contains("Yangtze", rewrite.Messages[^1].Content);
    }

    [Fact]
    public async Task CompleteChat_UnknownModel_Returns404WithOpenAiErrorMessage()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client("gpt-4o").CompleteChatAsync([new UserChatMessage(Question)]));
        Assert.Equal(404, error.Status);
        Assert.Contains("policychat", error.Message);
    }

    [Fact]
    public async Task ChatCompletions_NoUserMessage_Returns400ProblemWithOpenAiError()
    {
        using var client = server.CreateClient();
        var response = await client.PostAsync("/v1/chat/completions", Json.Body(new { model = "policychat", messages = new[] { new { role = "system", content = "hi" } } }));
        var problem = await Json.AssertProblemAsync(response, HttpStatusCode.BadRequest, "no_user_message");
        Assert.Equal("invalid_request_error", problem.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(problem.GetProperty("detail").GetString(), problem.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task ChatCompletions_EmptyQuestion_Returns400()
    {
        using var client = server.CreateClient();
        var response = await client.PostAsync("/v1/chat/completions", Json.Body(new { model = "policychat", messages = new[] { new { role = "user", content = " " } } }));
        await Json.AssertProblemAsync(response, HttpStatusCode.BadRequest, "empty_question");
    }

    [Fact]
    public async Task ChatCompletions_StreamOnTheWire_IsOpenAiChunksThenDone()
    {
        using var client = server.CreateClient();
        var response = await client.PostAsync("/v1/chat/completions", Json.Body(new
        {
            model = "policychat",
            stream = true,
            messages = new object[] { new { role = "user", content = new[] { new { type = "text", text = Question } } } },
        }));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = SseEvents.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("[DONE]", events[^1].RawData);
        Assert.All(events, e => Assert.Null(e.Event));
        var chunks = events[..^1].Select(e => e.Data).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.All(chunks, c => Assert.Equal("policychat", c.GetProperty("model").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        var last = chunks[^1];
        Assert.Equal("stop", last.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.NotEmpty(last.GetProperty("citations").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, chunks[1].GetProperty("choices")[0].GetProperty("finish_reason").ValueKind);
    }

    [Fact]
    public async Task Ask_WithModel_ReturnsLlmModeWithVerifiedCitation()
    {
        using var client = server.CreateClient();
        var body = await Json.ReadAsync(await client.PostAsync("/api/ask", Json.Body(new { question = Question })));
        Assert.Equal("llm", body.GetProperty("mode").GetString());
        Assert.Contains("[1]", body.GetProperty("answer").GetString());
        Assert.NotEmpty(body.GetProperty("citations").EnumerateArray());
        Assert.Empty(body.GetProperty("unsupported_claims").EnumerateArray());
    }

    [Fact]
    public async Task AskStream_ClientDisconnects_ModelCallIsAborted()
    {
        var model = server.Model!;
        model.EnqueueChat(Hub.ChatHubTests.SlowAnswer());
        var before = model.Requests.Count;
        using var client = server.CreateClient();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ask/stream") { Content = Json.Body(new { question = Question }) };
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
        using var reader = new StreamReader(stream);
        Assert.Equal("event: sources", await reader.ReadLineAsync(cancel.Token));
        var recorded = await model.WaitForRequestAsync(before + 1, TimeSpan.FromSeconds(20));

        await cancel.CancelAsync();
        response.Dispose();

        await recorded.Completed.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(recorded.ClientAborted, "the model server did not see the client go away");
    }

    [Fact]
    public async Task ChatCompletionsStream_ClientDisconnects_ModelCallIsAborted()
    {
        var model = server.Model!;
        model.EnqueueChat(Hub.ChatHubTests.SlowAnswer());
        var before = model.Requests.Count;
        using var client = server.CreateClient();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json.Body(new { model = "policychat", stream = true, messages = new[] { new { role = "user", content = Question } } }),
        };
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        Assert.StartsWith("data: ", await reader.ReadLineAsync(cancel.Token));
        var recorded = await model.WaitForRequestAsync(before + 1, TimeSpan.FromSeconds(20));

        await cancel.CancelAsync();
        response.Dispose();

        await recorded.Completed.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(recorded.ClientAborted, "the model server did not see the client go away");
    }

    [Fact]
    public async Task CompleteChat_ModelReportsUsage_ReturnsTheModelsOwnCounts()
    {
        var result = await Client().CompleteChatAsync([new UserChatMessage(Question)]);

        // The scripted server reports 11 prompt tokens and one completion token per streamed word.
        Assert.Equal(11, result.Value.Usage.InputTokenCount);
        var words = result.Value.Content[0].Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.InRange(result.Value.Usage.OutputTokenCount, words - 1, words + 1);
    }

    [Theory]
    [InlineData("/v1/chat/completions", false)]
    [InlineData("/v1/chat/completions", true)]
    [InlineData("/api/ask", false)]
    [InlineData("/api/ask/stream", true)]
    public async Task Answer_ModelDiesMidAnswer_KeepsTheTextAndEndsWithTheExtractiveAnswer(string path, bool stream)
    {
        const string shown = "The facility supports many research teams ";
        var model = server.Model!;
        var handler = model.ChatHandler;
        model.ChatHandler = r => r.Stream ? ScriptedReply.Drop(shown) : handler(r);
        try
        {
            using var client = server.CreateClient();
            object body = path.StartsWith("/v1", StringComparison.Ordinal)
                ? new { model = "policychat", stream, messages = new[] { new { role = "user", content = Question } } }
                : new { question = Question };
            using var response = await client.PostAsync(path, Json.Body(body));
            var text = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain("answer_failed", text, StringComparison.Ordinal);
            var answer = stream ? StreamedText(text, path) : AnswerOf(text, path);
            Assert.StartsWith(shown, answer, StringComparison.Ordinal);
            Assert.Contains("The language model stopped before finishing", answer, StringComparison.Ordinal);
            Assert.True(answer.Length > shown.Length + 120, answer);
        }
        finally
        {
            model.ChatHandler = handler;
        }
    }

    private static string AnswerOf(string json, string path)
    {
        using var document = JsonDocument.Parse(json);
        return path.StartsWith("/v1", StringComparison.Ordinal)
            ? document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!
            : document.RootElement.GetProperty("answer").GetString()!;
    }

    private static string StreamedText(string sse, string path)
    {
        var text = new System.Text.StringBuilder();
        string? lastEvent = null;
        foreach (var line in sse.Split('\n'))
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                lastEvent = line[7..].Trim();
                continue;
            }
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
            {
                continue;
            }
            using var document = JsonDocument.Parse(line[6..]);
            var root = document.RootElement;
            if (path.StartsWith("/v1", StringComparison.Ordinal))
            {
                if (root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
                    && choices[0].GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    text.Append(content.GetString());
                }
            }
            else if (lastEvent == "delta")
            {
                text.Append(root.GetProperty("text").GetString());
            }
        }
        return text.ToString();
    }

    [Fact]
    public async Task Readyz_ModelReachable_ReportsHealthyModelAndLlmMode()
    {
        using var client = server.CreateClient();
        var body = await Json.ReadAsync(await client.GetAsync("/readyz"));
        var model = body.GetProperty("model");
        Assert.True(model.GetProperty("enabled").GetBoolean());
        Assert.True(model.GetProperty("reachable").GetBoolean());
        Assert.True(model.GetProperty("healthy").GetBoolean());
        Assert.Equal("llm", body.GetProperty("answer_mode").GetString());
    }
}

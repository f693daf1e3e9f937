using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.ML.Tokenizers;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Conversations;
using PolicyChat.Core.Models;
using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.RateLimiting;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.Apis;

/// <summary>
/// An OpenAI-compatible endpoint, so any OpenAI client can ask the collection: model <c>policychat</c>, the last user
/// message is the question, earlier user/assistant messages are the conversation so far. Answers keep their [n]
/// markers; the verified citations travel in <c>choices[0].message.citations</c> (and on the final stream chunk as
/// <c>citations</c>). To continue a server-side conversation send <c>metadata.conversation_id</c> (returned as
/// <c>conversation_id</c>); without it, earlier messages in the request seed a new conversation.
/// </summary>
public static class OpenAiApi
{
    public const string ModelName = "policychat";
    public const string ConversationIdKey = "conversation_id";
    private static readonly long s_modelCreated = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(ApiProblems.OpenAiPrefix)
            .WithTags("OpenAI-compatible")
            .RequireAuthorization(ApiKeyDefaults.UserPolicy)
            .RequireRateLimiting(RateLimitPolicies.PerKey);

        api.MapGet("/models", ListModels).WithName("ListModels").WithSummary("Lists the one model: policychat.");
        api.MapPost("/chat/completions", CompleteAsync)
            .WithName("ChatCompletions")
            .WithSummary("OpenAI chat completions (stream and non-stream) answered from the collection, with citations.")
            .LimitConcurrentAnswers()
            .Produces<ChatCompletion>()
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static Ok<ModelListJson> ListModels() =>
        TypedResults.Ok(new ModelListJson("list", [new ModelJson(ModelName, "model", s_modelCreated, "policychat")]));

    public static async Task<IResult> CompleteAsync(
        ChatCompletionRequest body, HttpContext context, AnswerStreams answers, ConversationStore conversations, Tokenizer tokenizer, CancellationToken cancellationToken)
    {
        if (!string.Equals(body.Model?.Trim(), ModelName, StringComparison.OrdinalIgnoreCase))
        {
            return ApiProblems.Create(context, StatusCodes.Status404NotFound, "model_not_found", ServerText.UnknownModel(body.Model ?? ""));
        }
        if (OpenAiRequestChecks.Invalid(context, body) is { } invalid)
        {
            return invalid;
        }
        var messages = body.Messages ?? [];
        var last = -1;
        for (var i = messages.Count - 1; i >= 0 && last < 0; i--)
        {
            if (string.Equals(messages[i].Role, ConversationStore.User, StringComparison.OrdinalIgnoreCase))
            {
                last = i;
            }
        }
        if (last < 0)
        {
            return ApiProblems.Create(context, StatusCodes.Status400BadRequest, "no_user_message", ServerText.NoUserMessage);
        }

        var conversationId = body.Metadata is { } metadata && metadata.TryGetValue(ConversationIdKey, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
        var request = new AskRequest(messages[last].Text(), string.IsNullOrWhiteSpace(conversationId) ? null : conversationId.Trim());
        var language = UiLanguage.ForQuestion(context.Request, null, request.Question);
        if (AskApi.Invalid(context, answers, request, language) is { } problem)
        {
            return problem;
        }
        request = await SeedConversationAsync(request, messages.Take(last), conversations, cancellationToken);

        return body.Stream == true
            ? await StreamAsync(context, answers, request, language, body.StreamOptions?.IncludeUsage == true ? tokenizer : null, cancellationToken)
            : await CompleteOnceAsync(context, answers, request, language, tokenizer, cancellationToken);
    }

    private static async Task<IResult> CompleteOnceAsync(HttpContext context, AnswerStreams answers, AskRequest request, string language, Tokenizer tokenizer,
        CancellationToken cancellationToken)
    {
        AnswerResult result;
        try
        {
            result = await answers.Answers.AskAsync(request, cancellationToken);
        }
        catch (ModelAnswerException)
        {
            return ApiProblems.Create(context, StatusCodes.Status502BadGateway, "answer_failed", ServerText.AnswerFailed, language);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var message = answers.SafeMessage(ex, language);
            return ApiProblems.Create(context, ex is ModelException ? StatusCodes.Status502BadGateway : StatusCodes.Status500InternalServerError,
                "answer_failed", new LocalizedText(message, message), language);
        }
        var completion = new ChatCompletion(NewId(), "chat.completion", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ModelName,
            [new ChatCompletionChoice(0, new ChatCompletionMessage("assistant", result.Answer, result.Citations), "stop")],
            Usage(tokenizer, request.Question, result.Answer, result.Usage), result.ConversationId, result.Mode);
        return TypedResults.Json(completion, ServerJson.OpenAi);
    }

    /// <param name="usageTokenizer">Counts usage for the final chunk when the client asked for it (<c>stream_options.include_usage</c>).</param>
    private static async Task<IResult> StreamAsync(HttpContext context, AnswerStreams answers, AskRequest request, string language, Tokenizer? usageTokenizer,
        CancellationToken cancellationToken)
    {
        var id = NewId();
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        ChatCompletionChunk Chunk(ChatChunkDelta delta, string? finishReason = null) =>
            new(id, "chat.completion.chunk", created, ModelName, [new ChatChunkChoice(0, delta, finishReason)]);

        var sse = SseWriter.Start(context);
        Task WriteAsync(object payload) => sse.WriteAsync(null, JsonSerializer.Serialize(payload, ServerJson.OpenAi), cancellationToken);
        try
        {
            await WriteAsync(Chunk(new ChatChunkDelta(Role: "assistant", Content: "")));
            IReadOnlyList<Citation> citations = [];
            var answer = new StringBuilder();
            await foreach (var e in answers.StreamAsync(request, language, cancellationToken))
            {
                switch (e.Type)
                {
                    case AnswerEvent.DeltaType when !string.IsNullOrEmpty(e.Text):
                        answer.Append(e.Text);
                        await WriteAsync(Chunk(new ChatChunkDelta(Content: e.Text)));
                        break;
                    case AnswerEvent.CitationsType:
                        citations = e.Citations ?? [];
                        break;
                    case AnswerEvent.DoneType:
                        await WriteAsync(Chunk(new ChatChunkDelta(), "stop") with { Citations = citations, ConversationId = e.ConversationId, Mode = e.Mode });
                        if (usageTokenizer is not null)
                        {
                            await WriteAsync(new ChatCompletionChunk(id, "chat.completion.chunk", created, ModelName, [],
                                Usage(usageTokenizer, request.Question, answer.ToString(), e.Usage)));
                        }
                        await sse.WriteAsync(null, "[DONE]", cancellationToken);
                        break;
                    case AnswerEvent.ErrorType:
                        var error = new { error = new { message = e.Message, type = "server_error", param = (string?)null, code = "answer_failed" } };
                        await WriteAsync(error);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && cancellationToken.IsCancellationRequested)
        {
            // The client went away; the answer (and the model call) stopped with it.
        }
        return TypedResults.Empty;
    }

    /// <summary>Earlier user/assistant messages of the request become the conversation's history when the server has none for it.</summary>
    private static async Task<AskRequest> SeedConversationAsync(AskRequest request, IEnumerable<ChatCompletionRequestMessage> earlier,
        ConversationStore conversations, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var history = earlier
            .Select(m => (Role: m.Role?.ToLowerInvariant(), Text: m.Text()))
            .Where(m => m.Role is ConversationStore.User or ConversationStore.Assistant && !string.IsNullOrWhiteSpace(m.Text))
            .Select(m => new ConversationMessage(m.Role!, m.Text, now))
            .ToList();
        if (history.Count == 0)
        {
            return request;
        }
        if (request.ConversationId is { } existing && (await conversations.GetAsync(existing, cancellationToken)).Count > 0)
        {
            return request;
        }
        var id = request.ConversationId ?? ConversationStore.NewId();
        await conversations.AppendAsync(id, history, cancellationToken);
        return request with { ConversationId = id };
    }

    /// <summary>
    /// The model's own counts when it sent them (model answers); otherwise the configured tokenizer's counts of the
    /// question and of the text returned (extractive and abstained answers).
    /// </summary>
    private static ChatUsage Usage(Tokenizer tokenizer, string question, string answer, AnswerUsage? usage)
    {
        var prompt = usage?.PromptTokens ?? tokenizer.CountTokens(question);
        var completion = usage?.CompletionTokens ?? tokenizer.CountTokens(answer);
        return new ChatUsage(prompt, completion, prompt + completion);
    }

    private static string NewId() => "chatcmpl-" + Guid.NewGuid().ToString("N");
}

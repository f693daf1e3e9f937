using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Conversations;
using PolicyChat.Server.Apis;
using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.RateLimiting;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.Hubs;

/// <summary>Calls the server makes on connected pages.</summary>
public interface IChatHubClient
{
    /// <summary>A document was added, replaced or deleted: refresh the document list.</summary>
    Task DocumentsChanged();
}

/// <summary>
/// The chat hub at <c>/hubs/chat</c>. <c>Ask</c> streams <see cref="AnswerEvent"/>s (sources, delta…, citations,
/// done | error); stopping the stream or closing the page cancels retrieval and the model call.
/// </summary>
[Authorize(Policy = ApiKeyDefaults.UserPolicy)]
public sealed class ChatHub(AnswerStreams answers, HubQuestionLimiter limiter, ClientAnswerLimiter running, HistoryRecording history) : Hub<IChatHubClient>
{
    public const string Path = "/hubs/chat";

    public async IAsyncEnumerable<AnswerEvent> Ask(ChatAskBody request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ask = (request?.ToAskBody() ?? new AskBody(null)).ToRequest();
        var language = UiLanguage.Normalize(request?.Language);
        // Per client (key or IP), across its connections: answers running at once, then the question budget.
        var client = HubClients.Of(Context);
        using var lease = running.TryAcquire(client);
        if (!lease.IsAcquired)
        {
            yield return AnswerEvent.Error(SecurityText.TooManyAnswers(running.Limit).In(language ?? AnswerService.AnswerLanguage(ask.Question)));
            yield break;
        }
        if (!limiter.TryAcquire(client))
        {
            yield return AnswerEvent.Error(ServerText.TooManyRequests.In(language ?? AnswerService.AnswerLanguage(ask.Question)));
            yield break;
        }
        if (request?.Identity is { Length: > 0 } identity && !ConversationHistory.IsValidIdentity(identity))
        {
            yield return AnswerEvent.Error(HistoryRecording.InvalidIdentity.In(language ?? AnswerService.AnswerLanguage(ask.Question)));
            yield break;
        }
        await foreach (var e in history.RecordAsync(request?.Identity, ask.Question, answers.StreamAsync(ask, language, cancellationToken), cancellationToken))
        {
            yield return e;
        }
    }
}

/// <summary>
/// The hub's question: <see cref="AskBody"/> plus <c>identity</c>, the asking browser's identity; when given, the
/// answer is kept in that browser's conversation history.
/// </summary>
public sealed record ChatAskBody([property: System.Text.Json.Serialization.JsonConverter(typeof(RawStringConverter))] string? Question, string? ConversationId = null, string? Language = null, string? Identity = null)
{
    public AskBody ToAskBody() => new(Question, ConversationId, Language);
}

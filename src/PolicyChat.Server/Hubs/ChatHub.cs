using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using PolicyChat.Core.Answering;
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
public sealed class ChatHub(AnswerStreams answers, HubQuestionLimiter limiter, ClientAnswerLimiter running) : Hub<IChatHubClient>
{
    public const string Path = "/hubs/chat";

    public async IAsyncEnumerable<AnswerEvent> Ask(AskBody request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ask = (request ?? new AskBody(null)).ToRequest();
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
        await foreach (var e in answers.StreamAsync(ask, language, cancellationToken))
        {
            yield return e;
        }
    }
}

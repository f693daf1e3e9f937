using System.Runtime.CompilerServices;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Conversations;

namespace PolicyChat.Server.Infrastructure;

/// <summary>
/// Keeps answered questions in the asking browser's history: passes an answer's events through unchanged and, when
/// the answer is done, stores the turn under the browser's identity before the done event goes out (so feedback sent
/// right after it finds the turn). A failure to store is logged; it never breaks the answer.
/// </summary>
public sealed class HistoryRecording(ConversationHistory history, TimeProvider time, ILogger<HistoryRecording> logger)
{
    public static LocalizedText InvalidIdentity { get; } = new(
        "The browser identity is not valid: use 16 to 128 letters, digits, '-' or '_'.",
        "هوية المتصفح غير صالحة: استخدم من 16 إلى 128 من الحروف أو الأرقام أو '-' أو '_'.");

    public async IAsyncEnumerable<AnswerEvent> RecordAsync(string? identity, string question, IAsyncEnumerable<AnswerEvent> events,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (string.IsNullOrEmpty(identity))
        {
            await foreach (var e in events.WithCancellation(cancellationToken))
            {
                yield return e;
            }
            yield break;
        }
        var recorder = new TurnRecorder(question.Trim());
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            recorder.Observe(e);
            if (e.Type == AnswerEvent.DoneType && e.ConversationId is { } conversationId && recorder.Turn(time.GetUtcNow()) is { } turn)
            {
                await StoreAsync(identity, conversationId, turn, cancellationToken);
            }
            yield return e;
        }
    }

    private async Task StoreAsync(string identity, string conversationId, HistoryTurn turn, CancellationToken cancellationToken)
    {
        try
        {
            if (await history.RecordAsync(identity, conversationId, turn, cancellationToken) is null)
            {
                logger.LogInformation("A turn of conversation {Conversation} was not kept in the history (another browser's, or full)", conversationId);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Keeping a turn of conversation {Conversation} in the history failed", conversationId);
        }
    }
}

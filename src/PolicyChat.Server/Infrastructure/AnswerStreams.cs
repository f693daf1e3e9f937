using System.Runtime.CompilerServices;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Models;
using PolicyChat.Core.Text;

namespace PolicyChat.Server.Infrastructure;

/// <summary>
/// The answer stream as callers see it: validation problems and failures become one <c>error</c> event with a safe
/// message in the caller's language (never exception text); cancellation by the caller ends the stream quietly.
/// Shared by the hub, the SSE endpoint and the OpenAI-compatible endpoint.
/// </summary>
public sealed class AnswerStreams(AnswerService answers, ILogger<AnswerStreams> logger)
{
    public AnswerService Answers => answers;

    /// <summary>Checks a question; returns the error event to send, or null when it may be answered.</summary>
    public AnswerEvent? Check(AskRequest request, string? uiLanguage)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            answers.Validate(request, uiLanguage);
            if (Security.TextChecks.Check(request.Question, uiLanguage ?? AnswerService.AnswerLanguage(request.Question)) is { } invalid)
            {
                throw invalid;
            }
        }
        catch (InvalidQuestionException ex)
        {
            return AnswerEvent.Error(ex.Message);
        }
        if (request.ConversationId is { } id && !ConversationIds.IsValid(id))
        {
            return AnswerEvent.Error(ConversationIds.Invalid.In(uiLanguage ?? AnswerService.AnswerLanguage(request.Question)));
        }
        return null;
    }

    public async IAsyncEnumerable<AnswerEvent> StreamAsync(AskRequest request, string? uiLanguage,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Check(request, uiLanguage) is { } invalid)
        {
            yield return invalid;
            yield break;
        }
        var language = uiLanguage ?? AnswerService.AnswerLanguage(request.Question);
        await using var events = answers.AskStreamAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            AnswerEvent? failure = null;
            try
            {
                if (!await events.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }
            catch (Exception ex)
            {
                failure = AnswerEvent.Error(SafeMessage(ex, language));
            }
            if (failure is not null)
            {
                yield return failure;
                yield break;
            }
            yield return events.Current;
        }
    }

    /// <summary>A message for the caller about a failure: never the exception's own text (except the core's localized validation messages).</summary>
    public string SafeMessage(Exception exception, string language)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case InvalidQuestionException invalid:
                return invalid.Message;
            case ModelException model:
                logger.LogWarning(model, "A model call failed while answering");
                return language == Languages.Arabic ? model.UserMessageArabic : model.UserMessageEnglish;
            default:
                logger.LogError(exception, "Answering failed");
                return ServerText.AnswerFailed.In(language);
        }
    }
}

/// <summary>Conversation ids supplied by callers: 1–100 characters of letters, digits, '-' and '_'.</summary>
public static class ConversationIds
{
    public static LocalizedText Invalid { get; } = new(
        "The conversation id is not valid: use up to 100 letters, digits, '-' or '_'.",
        "معرّف المحادثة غير صالح: استخدم حتى 100 من الحروف أو الأرقام أو '-' أو '_'.");

    public static bool IsValid(string id) =>
        id.Length is > 0 and <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

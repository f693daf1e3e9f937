using PolicyChat.Core.Answering;

namespace PolicyChat.Core.Conversations;

/// <summary>A reader's rating of one answer: "up" or "down", with an optional comment.</summary>
public sealed record TurnFeedback(string Rating, string? Comment, DateTimeOffset At)
{
    public const string Up = "up";
    public const string Down = "down";
    public const int MaxCommentChars = 2000;

    public static bool IsRating(string? rating) => rating is Up or Down;
}

/// <summary>One question and its answer as the reader saw it: text, mode, sources and citations.</summary>
public sealed record HistoryTurn(
    int Index,
    DateTimeOffset At,
    string Question,
    string Answer,
    string? Mode,
    string? Language,
    string? Notice,
    IReadOnlyList<Passage> Passages,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<string> UnsupportedClaims,
    TurnFeedback? Feedback = null);

/// <summary>A conversation in a history list: titled by its first question unless renamed.</summary>
public sealed record ConversationSummary(string Id, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Turns);

/// <summary>A whole conversation with its turns, oldest first.</summary>
public sealed record ConversationRecord(string Id, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<HistoryTurn> Turns);

/// <summary>A rated answer, as an evaluation case: what was asked, what was answered, and what the reader thought.</summary>
public sealed record FeedbackCase(
    string ConversationId,
    int Index,
    DateTimeOffset AnsweredAt,
    string Question,
    string Answer,
    string? Mode,
    string? Language,
    IReadOnlyList<Citation> Citations,
    string Rating,
    string? Comment,
    DateTimeOffset RatedAt);

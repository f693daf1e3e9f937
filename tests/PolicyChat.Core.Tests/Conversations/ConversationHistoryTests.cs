using PolicyChat.Core.Answering;
using PolicyChat.Core.Conversations;

namespace PolicyChat.Core.Tests.Conversations;

/// <summary>The history store in a temporary SQLite file: turns kept with their sources, per-identity isolation, feedback.</summary>
public sealed class ConversationHistoryTests : IDisposable
{
    private const string Alice = "0123456789abcdef0123456789abcdef";
    private const string Bob = "fedcba9876543210fedcba9876543210";
    private static readonly DateTimeOffset s_t0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "policychat-history-tests", Guid.NewGuid().ToString("N"));
    private readonly ConversationHistory _history;

    public ConversationHistoryTests()
    {
        _history = new ConversationHistory(new ConversationOptions { Path = Path.Combine(_folder, "conversations.db") });
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp.
        }
    }

    internal static HistoryTurn Turn(string question, string answer, DateTimeOffset at) => new(0, at, question, answer, AnswerModes.Llm, "ar", null,
        [new Passage(1, "doc-1", "شنغهاي تطلق خطة", "وكالة", "2024-03-05", "ar", "أعلنت شنغهاي خطة لإنشاء أكثر من 200 مشروع.", 10, 52, 0.9)],
        [new Citation(1, "doc-1", "شنغهاي تطلق خطة", "وكالة", "2024-03-05", "ar", "أكثر من 200 مشروع", 30, 47, 0.8)],
        ["claim without support"]);

    [Fact]
    public async Task RecordAsync_TwoTurns_ReopensWithSourcesCitationsAndTitleFromFirstQuestion()
    {
        Assert.Equal(0, await _history.RecordAsync(Alice, "c1", Turn("ما خطة شنغهاي؟", "خطة [1].", s_t0)));
        Assert.Equal(1, await _history.RecordAsync(Alice, "c1", Turn("وماذا بعد؟", "المزيد [1].", s_t0.AddMinutes(1))));

        var conversation = await _history.GetAsync(Alice, "c1");

        Assert.NotNull(conversation);
        Assert.Equal("ما خطة شنغهاي؟", conversation.Title);
        Assert.Equal([0, 1], conversation.Turns.Select(t => t.Index));
        Assert.Equal("وماذا بعد؟", conversation.Turns[1].Question);
        var first = conversation.Turns[0];
        Assert.Equal("doc-1", Assert.Single(first.Passages).DocumentId);
        Assert.Equal("أكثر من 200 مشروع", Assert.Single(first.Citations).Quote);
        Assert.Equal(30, first.Citations[0].Start);
        Assert.Equal(["claim without support"], first.UnsupportedClaims);
        Assert.Equal(s_t0, first.At);
        Assert.Equal(s_t0.AddMinutes(1), conversation.UpdatedAt);
    }

    [Fact]
    public async Task ListAsync_SeveralConversations_NewestFirstAndOnlyTheIdentitysOwn()
    {
        await _history.RecordAsync(Alice, "old", Turn("first", "a", s_t0));
        await _history.RecordAsync(Alice, "new", Turn("second", "b", s_t0.AddHours(1)));
        await _history.RecordAsync(Bob, "bobs", Turn("bob's question", "c", s_t0.AddHours(2)));

        var alice = await _history.ListAsync(Alice);
        var bob = await _history.ListAsync(Bob);

        Assert.Equal(["new", "old"], alice.Select(c => c.Id));
        Assert.Equal(["bobs"], bob.Select(c => c.Id));
        Assert.Equal(1, alice[0].Turns);
    }

    [Fact]
    public async Task OtherIdentity_CannotReadRenameDeleteRateOrAppend()
    {
        await _history.RecordAsync(Alice, "c1", Turn("secret question", "answer", s_t0));

        Assert.Null(await _history.GetAsync(Bob, "c1"));
        Assert.False(await _history.RenameAsync(Bob, "c1", "stolen"));
        Assert.False(await _history.DeleteAsync(Bob, "c1"));
        Assert.False(await _history.SetFeedbackAsync(Bob, "c1", 0, TurnFeedback.Down, "x", s_t0));
        Assert.Null(await _history.RecordAsync(Bob, "c1", Turn("appended", "x", s_t0)));

        var conversation = await _history.GetAsync(Alice, "c1");
        Assert.Equal("secret question", conversation!.Title);
        Assert.Single(conversation.Turns);
        Assert.Null(conversation.Turns[0].Feedback);
    }

    [Fact]
    public async Task RenameAndDelete_OwnConversation_Applies()
    {
        await _history.RecordAsync(Alice, "c1", Turn("q", "a", s_t0));

        Assert.True(await _history.RenameAsync(Alice, "c1", "  سياسات   شنغهاي \n"));
        Assert.Equal("سياسات شنغهاي", (await _history.GetAsync(Alice, "c1"))!.Title);
        Assert.True(await _history.DeleteAsync(Alice, "c1"));
        Assert.Null(await _history.GetAsync(Alice, "c1"));
        Assert.Empty(await _history.ListAsync(Alice));
        Assert.False(await _history.DeleteAsync(Alice, "c1"));
    }

    [Fact]
    public async Task SetFeedbackAsync_RatedTurns_ReadBackAsEvaluationCasesFilteredByRating()
    {
        await _history.RecordAsync(Alice, "c1", Turn("q1", "a1 [1]", s_t0));
        await _history.RecordAsync(Alice, "c1", Turn("q2", "a2", s_t0));
        await _history.RecordAsync(Bob, "c2", Turn("q3", "a3", s_t0));

        Assert.True(await _history.SetFeedbackAsync(Alice, "c1", 0, TurnFeedback.Down, "  wrong number ", s_t0.AddMinutes(5)));
        Assert.True(await _history.SetFeedbackAsync(Bob, "c2", 0, TurnFeedback.Up, null, s_t0.AddMinutes(6)));
        Assert.False(await _history.SetFeedbackAsync(Alice, "c1", 7, TurnFeedback.Up, null, s_t0));

        var all = await ToListAsync(_history.ReadFeedbackAsync());
        var down = await ToListAsync(_history.ReadFeedbackAsync(TurnFeedback.Down));

        Assert.Equal(["q1", "q3"], all.Select(c => c.Question));
        var disliked = Assert.Single(down);
        Assert.Equal(("c1", 0, "a1 [1]", "wrong number"), (disliked.ConversationId, disliked.Index, disliked.Answer, disliked.Comment));
        Assert.Equal("أكثر من 200 مشروع", Assert.Single(disliked.Citations).Quote);
        var turn = (await _history.GetAsync(Alice, "c1"))!.Turns[0];
        Assert.Equal(new TurnFeedback(TurnFeedback.Down, "wrong number", s_t0.AddMinutes(5)), turn.Feedback);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("short")]
    [InlineData("has spaces in it and is long enough")]
    [InlineData("0123456789abcdef0123456789abcdef<script>")]
    public void IsValidIdentity_Malformed_IsFalse(string? identity) => Assert.False(ConversationHistory.IsValidIdentity(identity));

    [Fact]
    public async Task InvalidInput_IsRefusedAndLeavesStoredDataIntact()
    {
        await _history.RecordAsync(Alice, "c1", Turn("q", "a", s_t0));

        await Assert.ThrowsAsync<ArgumentException>(() => _history.ListAsync("bad id"));
        await Assert.ThrowsAsync<ArgumentException>(() => _history.SetFeedbackAsync(Alice, "c1", 0, "meh", null, s_t0));
        await Assert.ThrowsAsync<ArgumentException>(() => _history.SetFeedbackAsync(Alice, "c1", 0, TurnFeedback.Up, new string('x', 2001), s_t0));

        Assert.Null((await _history.GetAsync(Alice, "c1"))!.Turns[0].Feedback);
    }

    [Fact]
    public void TitleFrom_LongMultilineQuestion_OneLineAtMost200Chars()
    {
        var title = ConversationHistory.TitleFrom("line one\nline two " + new string('x', 300));
        Assert.StartsWith("line one line two x", title, StringComparison.Ordinal);
        Assert.Equal(ConversationHistory.MaxTitleChars, title.Length);
        Assert.EndsWith("…", title, StringComparison.Ordinal);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }
}

using PolicyChat.Core.Answering;
using PolicyChat.Core.Conversations;

namespace PolicyChat.Core.Tests.Conversations;

public sealed class TurnRecorderTests
{
    private static readonly DateTimeOffset s_at = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Observe_WholeAnswer_TurnHasTextSourcesCitationsAndMode()
    {
        var recorder = new TurnRecorder("ما خطة شنغهاي؟");
        var passage = new Passage(1, "d1", "t", null, null, "ar", "text", 0, 4, 1);
        var citation = new Citation(1, "d1", "t", null, null, "ar", "text", 0, 4, 1);

        recorder.Observe(AnswerEvent.Sources([passage]));
        recorder.Observe(AnswerEvent.Delta("أعلنت "));
        recorder.Observe(AnswerEvent.Delta("شنغهاي [1]."));
        Assert.Null(recorder.Turn(s_at));
        recorder.Observe(AnswerEvent.CitationsFound([citation], ["x"]));
        recorder.Observe(AnswerEvent.Done(AnswerModes.Llm, "c1", "ar", "q", new AnswerTimings(0, 0, 0, null, 0), new AnswerEvidence(1, 0), null));

        var turn = recorder.Turn(s_at);

        Assert.NotNull(turn);
        Assert.Equal(("ما خطة شنغهاي؟", "أعلنت شنغهاي [1].", "llm", "ar"), (turn.Question, turn.Answer, turn.Mode, turn.Language));
        Assert.Equal([passage], turn.Passages);
        Assert.Equal([citation], turn.Citations);
        Assert.Equal(["x"], turn.UnsupportedClaims);
    }

    [Fact]
    public void Observe_ErrorWithoutDone_NoTurn()
    {
        var recorder = new TurnRecorder("q");
        recorder.Observe(AnswerEvent.Delta("partial"));
        recorder.Observe(AnswerEvent.Error("failed"));
        Assert.Null(recorder.Turn(s_at));
    }
}

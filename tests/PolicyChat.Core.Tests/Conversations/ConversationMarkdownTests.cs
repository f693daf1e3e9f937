using PolicyChat.Core.Answering;
using PolicyChat.Core.Conversations;

namespace PolicyChat.Core.Tests.Conversations;

public sealed class ConversationMarkdownTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Render_AnswersWithMarkers_CitationsBecomeFootnotesInNumberOrder()
    {
        var first = new HistoryTurn(0, s_t0, "ما خطة شنغهاي؟", "أعلنت شنغهاي خطة [2، 1] وتمويلًا [١].", AnswerModes.Llm, "ar", null,
            [
                new Passage(1, "d1", "شنغهاي تطلق خطة", "وكالة الأنباء", "2024-03-05", "ar", "نص المقطع الأول", 0, 15, 0.9),
                new Passage(2, "d2", "EU AI Act", null, null, "en", "The Act entered\ninto force.", 0, 27, 0.5),
            ],
            [new Citation(1, "d1", "شنغهاي تطلق خطة", "وكالة الأنباء", "2024-03-05", "ar", "أكثر من 200 مشروع", 30, 47, 0.8)],
            [],
            new TurnFeedback(TurnFeedback.Down, "missing\nthe date", s_t0));
        var second = new HistoryTurn(1, s_t0, "Thanks", "Nothing to cite [9].", AnswerModes.Extractive, "en", null, [], [], []);
        var conversation = new ConversationRecord("c1", "خطة شنغهاي", s_t0, s_t0, [first, second]);

        var markdown = ConversationMarkdown.Render(conversation);

        Assert.Equal(
            """
            # خطة شنغهاي

            _2026-03-01 10:00 UTC_

            ## ما خطة شنغهاي؟

            أعلنت شنغهاي خطة [^q1-1][^q1-2] وتمويلًا [^q1-1].

            > Feedback: 👎 missing the date

            [^q1-1]: شنغهاي تطلق خطة, وكالة الأنباء, 2024-03-05. “أكثر من 200 مشروع”
            [^q1-2]: EU AI Act. “The Act entered into force.”

            ## Thanks

            Nothing to cite [^q2-9].

            [^q2-9]: (source not available)

            """.ReplaceLineEndings("\n"),
            markdown.ReplaceLineEndings("\n"));
    }
}

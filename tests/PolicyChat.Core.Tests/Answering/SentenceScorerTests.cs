using PolicyChat.Core.Answering;
using PolicyChat.Core.Answering.Extractive;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Answering;

/// <summary>Golden tests of extractive sentence selection: answer types, headlines and datelines, exact offsets, support.</summary>
public sealed class SentenceScorerTests
{
    private static readonly TextAnalyzer Analyzer = TextAnalyzer.Default;
    private static readonly ExtractiveAnswerer Answerer = new(Analyzer);

    private static Passage Passage(int number, string text, string language, string title = "Title", int start = 0) =>
        new(number, "doc" + number, title, null, null, language, text, start, start + text.Length, 1);

    [Theory]
    [InlineData("كم عدد الشركات التي تستهدف خطة عمل شنغهاي تكوينها؟", AnswerKind.Number)]
    [InlineData("وكم مشروعا تستهدف المدينة؟", AnswerKind.Number)]
    [InlineData("ما عدد المشاريع؟", AnswerKind.Number)]
    [InlineData("How many research teams does the facility support?", AnswerKind.Number)]
    [InlineData("What percentage of the budget goes to research?", AnswerKind.Number)]
    [InlineData("متى تأسست شركة DeepSeek؟", AnswerKind.Date)]
    [InlineData("في أي عام أعلنت شنغهاي خطتها؟", AnswerKind.Date)]
    [InlineData("When was DeepSeek founded?", AnswerKind.Date)]
    [InlineData("In what year did the league start?", AnswerKind.Date)]
    [InlineData("من كاتب المقال عن نجاح DeepSeek؟", AnswerKind.Name)]
    [InlineData("من هو رئيس الصين؟", AnswerKind.Name)]
    [InlineData("Who wrote the article?", AnswerKind.Name)]
    [InlineData("من أين جاءت الفكرة؟", AnswerKind.Any)]
    [InlineData("ما دور البنك المركزي الروسي؟", AnswerKind.Any)]
    [InlineData("Why did the city publish the plan?", AnswerKind.Any)]
    public void AnswerType_Of_ReadsTheKindFromTheQuestionWords(string question, AnswerKind expected) =>
        Assert.Equal(expected, AnswerType.Of(question, Analyzer));

    [Fact]
    public void AnswerType_Holds_IgnoresNumbersTheQuestionAlreadyNames()
    {
        var questionWords = new HashSet<string>(AnswerType.Words("How many teams were there in 2015?", Analyzer), StringComparer.Ordinal);

        Assert.False(AnswerType.Holds(AnswerKind.Number, "The teams met in 2015 again.", questionWords, Analyzer));
        Assert.True(AnswerType.Holds(AnswerKind.Number, "In 2015 there were 24 teams.", questionWords, Analyzer));
        Assert.True(AnswerType.Holds(AnswerKind.Number, "تستهدف خطة العمل إنشاء مائة شركة.", questionWords, Analyzer));
        Assert.True(AnswerType.Holds(AnswerKind.Date, "وقعت الاتفاقية في مايو الماضي.", questionWords, Analyzer));
        Assert.Null(AnswerType.Holds(AnswerKind.Name, "قال الرئيس إن الصين مستعدة.", questionWords, Analyzer));
    }

    [Fact]
    public void Answer_HowManyQuestion_QuotesTheSentenceWithTheNumberFirst()
    {
        // Both sentences share the question's words; only the second holds a count.
        var passage = Passage(1,
            "The plan aims to support companies working on open source technologies. "
            + "The plan aims to create 100 companies working on open source technologies.", Languages.English);

        var answer = Answerer.Answer("How many companies does the plan aim to create?", Languages.English, [passage], TermStatistics.Empty, 3);

        Assert.Contains("100 companies", answer.Citations[0].Quote, StringComparison.Ordinal);
        Assert.Equal(AnswerKind.Number, answer.Kind);
    }

    [Fact]
    public void Answer_ArabicHowManyQuestion_FindsTheCountDespiteAnotherWordForm()
    {
        var passage = Passage(1,
            "حقائق رئيسية\n"
            + "- تهدف شنغهاي إلى إنشاء أكثر من 200 مشروع مفتوح المصدر خلال العامين المقبلين.\n"
            + "- تستهدف خطة العمل إنشاء 100 شركة تركز على التقنيات ذات الصلة.\n", Languages.Arabic, "شنغهاي تستهدف أكثر من 200 مشروع مفتوح المصدر");

        var answer = Answerer.Answer("كم عدد الشركات التي تستهدف خطة عمل شنغهاي تكوينها؟", Languages.Arabic, [passage], TermStatistics.Empty, 3);

        Assert.Contains("100 شركة", answer.Citations[0].Quote, StringComparison.Ordinal);
        Assert.DoesNotContain(answer.Citations, c => c.Quote.Contains("حقائق رئيسية", StringComparison.Ordinal));
    }

    [Fact]
    public void Answer_WhenQuestion_PrefersTheSentenceWithADate()
    {
        var passage = Passage(1,
            "DeepSeek was founded by a hedge fund to build large language models. "
            + "DeepSeek was founded in May 2023 in Hangzhou.", Languages.English);

        var answer = Answerer.Answer("When was DeepSeek founded?", Languages.English, [passage], TermStatistics.Empty, 1);

        Assert.Contains("May 2023", Assert.Single(answer.Citations).Quote, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_WhoQuestion_PrefersTheSentenceNamingSomeone()
    {
        var passage = Passage(1,
            "The anthem was performed before the game at the stadium. "
            + "Lady Gaga performed the anthem before the game.", Languages.English);

        var answer = Answerer.Answer("Who performed the anthem before the game?", Languages.English, [passage], TermStatistics.Empty, 1);

        Assert.Contains("Lady Gaga", Assert.Single(answer.Citations).Quote, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_WhoWroteQuestion_QuotesTheByline()
    {
        var passage = Passage(1,
            "المؤلف: يو شاوتشينغ\n"
            + "الاقتصاد الصيني بعيد كل البعد عن الخروج من الحضيض، ولكن مع نجاح شركة DeepSeek هناك أمل في تعافي الاقتصاد الصيني.\n",
            Languages.Arabic, "نجاح DeepSeek وانفتاح الصين");

        var answer = Answerer.Answer("من كاتب المقال عن نجاح DeepSeek والاقتصاد الصيني؟", Languages.Arabic, [passage], TermStatistics.Empty, 3);

        Assert.Equal("المؤلف: يو شاوتشينغ", answer.Citations[0].Quote);
        Assert.True(answer.Confidence >= new AnswerOptions().ExtractiveAnswerEvidence, $"confidence {answer.Confidence}");
    }

    [Fact]
    public void Answer_WhoWroteQuestion_SubjectInTheTitleAndAnotherChunk_QuotesTheByline()
    {
        // As in the sample corpus: the byline's chunk holds one word of the question's six (under 0.25 of it); the
        // subject is in the document's title and a later chunk.
        const string title = "نجاح DeepSeek وانفتاح الصين في سباق الذكاء الاصطناعي";
        var first = new Passage(1, "doc1", title, null, null, Languages.Arabic,
            "المؤلف: يو شاوتشينغ\nمع الاختراق غير المتوقع لشركة DeepSeek هناك أمل.\n", 0, 60, 1);
        var later = new Passage(2, "doc1", title, null, null, Languages.Arabic, "ويأتي نجاح DeepSeek في وقت يحتاج فيه الاقتصاد الصيني إلى دفعة.", 400, 460, 0.9);
        var other = new Passage(3, "doc2", "خطة شنغهاي", null, null, Languages.Arabic, "المؤلف: لي وي\nتستهدف خطة العمل إنشاء 100 شركة.", 0, 40, 0.8);

        var answer = Answerer.Answer("من كاتب المقال عن نجاح DeepSeek والاقتصاد الصيني؟", Languages.Arabic, [first, later, other], TermStatistics.Empty, 3);

        Assert.Equal("المؤلف: يو شاوتشينغ", answer.Citations[0].Quote);
        Assert.DoesNotContain(answer.Citations, c => c.Quote.Contains("لي وي", StringComparison.Ordinal));
        Assert.True(answer.Confidence >= new AnswerOptions().ExtractiveAnswerEvidence, $"confidence {answer.Confidence}");
    }

    [Fact]
    public void Answer_WhoWroteQuestion_AboutAnotherSubject_GivesTheBylineNoCredit()
    {
        var passage = Passage(1, "المؤلف: يو شاوتشينغ\nالاقتصاد الصيني بعيد عن الخروج من الحضيض، ولكن هناك أمل.\n", Languages.Arabic,
            "نجاح DeepSeek وانفتاح الصين");

        var answer = Answerer.Answer("من كاتب المقال عن كأس العالم لكرة القدم؟", Languages.Arabic, [passage], TermStatistics.Empty, 3);

        Assert.DoesNotContain(answer.Citations, c => c.Quote.StartsWith("المؤلف", StringComparison.Ordinal) && c.Support >= 0.5);
    }

    [Fact]
    public void Answer_BylineForAQuestionThatDoesNotAskForTheAuthor_IsNotPreferred()
    {
        var passage = Passage(1,
            "المؤلف: يو شاوتشينغ\n"
            + "الاقتصاد الصيني بعيد كل البعد عن الخروج من الحضيض، ولكن مع نجاح شركة DeepSeek هناك أمل في تعافي الاقتصاد الصيني.\n",
            Languages.Arabic);

        var answer = Answerer.Answer("ما أثر نجاح DeepSeek على الاقتصاد الصيني؟", Languages.Arabic, [passage], TermStatistics.Empty, 1);

        Assert.StartsWith("الاقتصاد الصيني", Assert.Single(answer.Citations).Quote, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_HeadlineDatelineAndOutletLines_AreNeverQuoted()
    {
        const string title = "تحالف روسي صيني جديد في الذكاء الاصطناعي";
        var text = "8 يناير 2025 06:18\nسيناء الإخبارية\n\n" + title + "\n\n"
            + "أعلن الرئيس الروسي عن إطلاق شراكة تكنولوجية في الذكاء الاصطناعي مع الصين.\n";
        var passage = Passage(1, text, Languages.Arabic, title);

        var answer = Answerer.Answer("ما التحالف الروسي الصيني في الذكاء الاصطناعي؟", Languages.Arabic, [passage], TermStatistics.Empty, 3);

        var citation = Assert.Single(answer.Citations);
        Assert.StartsWith("أعلن الرئيس الروسي", citation.Quote, StringComparison.Ordinal);
    }

    [Fact]
    public void HeadingFilter_KeepsALabelledBylineAndTerminatedSentences()
    {
        const string text = "المؤلف: يو شاوتشينغ\nحقائق رئيسية\nالاقتصاد الصيني بعيد عن الخروج من الحضيض.\n";
        var ranges = SentenceBoundaries.Split(text);

        var headings = ranges.Select(r => HeadingFilter.IsHeading(text, r, "عنوان آخر", Analyzer.Normalize)).ToList();

        Assert.Equal([false, true, false], headings);
    }

    [Fact]
    public void Answer_CitationOffsets_PointAtTheQuoteInTheDocument()
    {
        const string document = "Intro line that is long enough to be a sentence here. The facility supports over 2,500 research teams every year.";
        const int chunkStart = 10;
        var passage = Passage(1, document[chunkStart..], Languages.English, start: chunkStart);

        var answer = Answerer.Answer("How many research teams does the facility support?", Languages.English, [passage], TermStatistics.Empty, 3);

        var citation = answer.Citations[0];
        Assert.Equal(citation.Quote, document[citation.Start..citation.End]);
        Assert.StartsWith("The facility supports", citation.Quote, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_ArabicWordWithOtherClitics_CountsNearlyFully()
    {
        // "هزمهم" (defeated them) meets "هزم" only without the pronoun, which the index's Light10 stems keep.
        var passage = Passage(1, "هزم البرونكوس فريق بيتسبرغ في الجولة الفاصلة.", Languages.Arabic);

        var answer = Answerer.Answer("من الذين هزمهم البرونكوس في الجولة الفاصلة؟", Languages.Arabic, [passage], TermStatistics.Empty, 3);

        Assert.InRange(Assert.Single(answer.Citations).Support, 0.95, 0.99); // three words fully, one at 0.9
    }

    [Fact]
    public void Answer_ArabicTwoLetterStem_WeighsLess()
    {
        // "رأى" stems to "را", which many unrelated words share: it counts 0.6 of a word, the other two fully.
        var passage = Passage(1, "رأى الناس شيئا جديدا.", Languages.Arabic);

        var answer = Answerer.Answer("ما رأى الخبراء في الاتفاقية؟", Languages.Arabic, [passage], TermStatistics.Empty, 3);

        Assert.Equal(Math.Round(0.6 / 2.6, 4), Assert.Single(answer.Citations).Support, 3);
    }

    [Fact]
    public void Answer_SupportIsLowForASentenceThatDoesNotAnswer()
    {
        var passage = Passage(1, "Officials opened a new railway line to the coast last month.", Languages.English);

        var answer = Answerer.Answer("How many research teams does the facility support in Shanghai?", Languages.English, [passage], TermStatistics.Empty, 3);

        Assert.All(answer.Citations, c => Assert.True(c.Support < 0.2, $"support {c.Support}"));
        Assert.True(answer.Confidence < new AnswerOptions().ExtractivePartialEvidence);
    }

    [Fact]
    public void Answer_UnrelatedSentenceFromAnotherPassage_IsNotAddedAfterTheAnsweringOnes()
    {
        var russia = Passage(1,
            "يتولى البنك المركزي الروسي تنظيم التسويات بالعملات الوطنية. ويشرف البنك المركزي الروسي على منصة الدفع الرقمية.", Languages.Arabic);
        var shanghai = Passage(2, "باعتبارها المركز المالي للصين، تستضيف شنغهاي مقار البنوك الكبرى.", Languages.Arabic);

        var answer = Answerer.Answer("ما دور البنك المركزي الروسي؟", Languages.Arabic, [russia, shanghai], TermStatistics.Empty, 3);

        Assert.NotEmpty(answer.Citations);
        Assert.All(answer.Citations, c => Assert.Equal(1, c.Marker));
    }

    [Fact]
    public void Answer_TwinPassages_QuoteTheSentenceOnce()
    {
        const string text = "The facility supports over 2,500 research teams every year.";
        var answer = Answerer.Answer("How many research teams does the facility support?", Languages.English,
            [Passage(1, text, Languages.English), Passage(2, text, Languages.English)], TermStatistics.Empty, 3);

        Assert.Single(answer.Citations);
    }
}

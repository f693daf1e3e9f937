using Microsoft.Extensions.DependencyInjection;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Answering.Citations;
using PolicyChat.Core.Conversations;
using PolicyChat.Core.Text;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Answering;

/// <summary>Answers without a model (extractive), abstention, answer language, follow-ups, history and validation.</summary>
public sealed class AnswerServiceExtractiveTests(CorpusIndexFixture corpus) : IClassFixture<CorpusIndexFixture>
{
    private const string ShanghaiProjects = "كم مشروعًا مفتوح المصدر تستهدف شنغهاي؟";
    private const string CompaniesFollowUp = "وماذا عن الشركات؟";
    private const string ProteinQuestion = "How many research teams does the National Protein Science Facility in Shanghai support?";

    [Fact]
    public async Task AskStreamAsync_ArabicQuestionWithoutModel_QuotesCitedSentencesUnderAnArabicLead()
    {
        await using var services = corpus.CreateServices();
        var answers = services.GetRequiredService<AnswerService>();

        var run = await AnswerTestKit.RunAsync(answers, new AskRequest(ShanghaiProjects));

        Assert.False(answers.HasModel);
        Assert.Equal(AnswerModes.Extractive, run.Done!.Mode);
        Assert.Equal(Languages.Arabic, run.Done.Language);
        Assert.Equal(AnswerText.ExtractiveNotice(Languages.Arabic, modelConfigured: false), run.Done.Notice);
        Assert.Equal(corpus.IdOf(CorpusIndexFixture.ShanghaiFile), run.Passages[0].DocumentId);
        AssertExtractiveShape(run, Languages.Arabic);
        Assert.Contains(run.Citations, c => c.Quote.Contains("200 مشروع", StringComparison.Ordinal));
    }

    /// <summary>The three questions of issue 12, as a new user asked them of the sample corpus.</summary>
    [Theory]
    [InlineData("ما دور البنك المركزي الروسي؟", CorpusIndexFixture.RussiaFile, "البنك المركزي الروسي")]
    [InlineData("كم عدد الشركات التي تستهدف خطة عمل شنغهاي تكوينها؟", CorpusIndexFixture.ShanghaiFile, "100 شركة")]
    [InlineData("من كاتب المقال عن نجاح DeepSeek والاقتصاد الصيني؟", CorpusIndexFixture.DeepSeekFile, "المؤلف: يو شاوتشينغ")]
    public async Task AskStreamAsync_IssueQuestionsWithoutModel_QuoteTheAnswerFirstAndOnlyFromItsDocument(string question, string file, string firstQuote)
    {
        await using var services = corpus.CreateServices();

        var run = await AnswerTestKit.RunAsync(services.GetRequiredService<AnswerService>(), new AskRequest(question));

        Assert.Equal(AnswerModes.Extractive, run.Done!.Mode);
        Assert.Contains(firstQuote, run.Citations[0].Quote, StringComparison.Ordinal);
        Assert.All(run.Citations, c => Assert.Equal(corpus.IdOf(file), c.DocumentId));
        AssertExtractiveShape(run, Languages.Arabic);
    }

    [Fact]
    public async Task AskStreamAsync_EnglishQuestionWithoutModel_AnswersUnderAnEnglishLead()
    {
        await using var services = corpus.CreateServices();

        var run = await AnswerTestKit.RunAsync(services.GetRequiredService<AnswerService>(), new AskRequest(ProteinQuestion));

        Assert.Equal(AnswerModes.Extractive, run.Done!.Mode);
        Assert.Equal(Languages.English, run.Done.Language);
        Assert.Equal(AnswerText.ExtractiveNotice(Languages.English, modelConfigured: false), run.Done.Notice);
        Assert.Equal(corpus.IdOf(CorpusIndexFixture.EnglishFile), run.Passages[0].DocumentId);
        AssertExtractiveShape(run, Languages.English);
        Assert.Contains(run.Citations, c => c.Quote.Contains("2,500 research teams", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AskStreamAsync_EnglishQuestionNamingWhatAnArabicArticleWritesInLatin_QuotesItUnderALeadThatSaysSo()
    {
        await using var services = corpus.CreateServices();
        var deepSeek = corpus.IdOf(CorpusIndexFixture.DeepSeekFile);

        var run = await AnswerTestKit.RunAsync(services.GetRequiredService<AnswerService>(), new AskRequest("When was DeepSeek founded?"));

        Assert.Equal(AnswerModes.Extractive, run.Done!.Mode);
        Assert.Equal(Languages.English, run.Done.Language);
        Assert.Equal(deepSeek, run.Passages[0].DocumentId);
        Assert.Equal(AnswerText.ExtractiveLeadInSourceLanguage(Languages.English, Languages.Arabic), run.Text.Split('\n')[0]);
        Assert.NotEmpty(run.Citations);
        Assert.All(run.Citations, c =>
        {
            Assert.Equal(deepSeek, c.DocumentId);
            Assert.Contains("DeepSeek", c.Quote, StringComparison.Ordinal);
            corpus.AssertQuotesDocument(c);
        });
    }

    [Theory]
    [InlineData("When was DeepSeek sold to Google?", AnswerModes.Abstained)]
    [InlineData("كم فريقًا بحثيًا تدعمه منشأة علوم البروتين الوطنية في شنغهاي؟", AnswerModes.Partial)]
    public async Task AskStreamAsync_CrossLanguageQuestionWithoutAModel_MakesNoClaimUnlessEveryNameIsFound(string question, string mode)
    {
        // The first names a company the collection never mentions: refused. The second needs a translation (the answer is
        // in the English article, and the question shares no Latin name or number with it); the Arabic articles share
        // words with it ("شنغهاي"; "بحثيًا" and "البحث" share a stem), so it is partial: the closest passages, no quoted claim.
        await using var services = corpus.CreateServices();

        var run = await AnswerTestKit.RunAsync(services.GetRequiredService<AnswerService>(), new AskRequest(question));

        Assert.Equal(mode, run.Done!.Mode);
        Assert.Empty(run.Citations);
    }

    [Fact]
    public async Task AskAsync_WithoutModel_ReturnsTheSameAnswerAsTheStream()
    {
        await using var services = corpus.CreateServices();
        var answers = services.GetRequiredService<AnswerService>();

        var result = await answers.AskAsync(new AskRequest(ShanghaiProjects));
        var run = await AnswerTestKit.RunAsync(answers, new AskRequest(ShanghaiProjects));

        Assert.Equal(run.Text, result.Answer);
        Assert.Equal(AnswerModes.Extractive, result.Mode);
        Assert.Equal(run.Citations, result.Citations);
        Assert.Equal(run.Passages.Select(p => p.DocumentId), result.Passages.Select(p => p.DocumentId));
        Assert.Equal(ShanghaiProjects, result.StandaloneQuestion);
        Assert.True(result.Evidence.Score >= result.Evidence.Threshold);
    }

    [Theory]
    [InlineData("من فاز بكأس العالم 2022؟", "ar")]
    [InlineData("Who won the 2022 FIFA World Cup?", "en")]
    public async Task AskStreamAsync_UnanswerableQuestion_AbstainsInTheQuestionsLanguageWithoutCallingTheModel(string question, string language)
    {
        await using var server = await ScriptedOpenAiServer.StartAsync();
        var model = new ScriptedModel(server);
        var settings = CorpusIndexFixture.ModelSettings(server.BaseUrl);
        settings["Answer:CrossLingual"] = "false";
        await using var services = corpus.CreateServices(settings);
        var answers = services.GetRequiredService<AnswerService>();

        var run = await model.AskAsync(answers, new AskRequest(question));

        Assert.True(answers.HasModel);
        Assert.Equal(AnswerModes.Abstained, run.Done!.Mode);
        Assert.Equal(language, run.Done.Language);
        Assert.Equal(AnswerText.NotFound(language), run.Text);
        Assert.Equal(AnswerText.AbstainedNotice(language), run.Done.Notice);
        Assert.Empty(run.Passages);
        Assert.Empty(run.Citations);
        Assert.True(run.Done.Evidence!.Score < run.Done.Evidence.Threshold);
        Assert.Empty(server.ChatRequests);
    }

    [Theory]
    [InlineData("من فاز بكأس العالم 2022؟")]
    [InlineData("Who won the 2022 FIFA World Cup?")]
    public async Task AskStreamAsync_UnanswerableQuestionWithTranslation_SendsOnlyTranslationRequests(string question)
    {
        await using var server = await ScriptedOpenAiServer.StartAsync();
        var model = new ScriptedModel(server);
        await using var services = corpus.CreateServices(CorpusIndexFixture.ModelSettings(server.BaseUrl));

        var run = await model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(question));

        Assert.Equal(AnswerModes.Abstained, run.Done!.Mode);
        Assert.Empty(model.AnswerRequests);
        Assert.NotEmpty(model.TranslationRequests);
        Assert.Equal(server.ChatRequests.Count, model.TranslationRequests.Count);
    }

    [Fact]
    public async Task AskStreamAsync_FollowUpInTheSameConversation_RetrievesThePreviousQuestionsDocument()
    {
        await using var services = corpus.CreateServices();
        var answers = services.GetRequiredService<AnswerService>();
        var shanghai = corpus.IdOf(CorpusIndexFixture.ShanghaiFile);

        var first = await AnswerTestKit.RunAsync(answers, new AskRequest(ShanghaiProjects));
        var followUp = await AnswerTestKit.RunAsync(answers, new AskRequest(CompaniesFollowUp, first.Done!.ConversationId));
        var alone = await AnswerTestKit.RunAsync(answers, new AskRequest(CompaniesFollowUp));

        Assert.Equal(first.Done.ConversationId, followUp.Done!.ConversationId);
        Assert.Equal(AnswerModes.Extractive, followUp.Done.Mode);
        Assert.Contains("شنغهاي", followUp.Done.Question, StringComparison.Ordinal);
        Assert.Contains("الشركات", followUp.Done.Question, StringComparison.Ordinal);
        Assert.Equal(shanghai, followUp.Passages[0].DocumentId);
        Assert.Contains(followUp.Citations, c => c.DocumentId == shanghai && c.Quote.Contains("شركة", StringComparison.Ordinal));
        // Without the conversation the same words find nothing to answer with.
        Assert.Equal(AnswerModes.Abstained, alone.Done!.Mode);
        Assert.Equal(CompaniesFollowUp, alone.Done.Question);
    }

    [Fact]
    public async Task AskStreamAsync_FollowUpWithModel_SendsTheRewritePromptAndSearchesItsReply()
    {
        const string rewritten = "كم شركة تستهدف خطة عمل شنغهاي إنشاءها؟";
        await using var server = await ScriptedOpenAiServer.StartAsync();
        var model = new ScriptedModel(server) { Rewrite = rewritten };
        var marker = 0;
        model.Answer = passages =>
        {
            marker = AnswerTestKit.PassageWith(passages, corpus.IdOf(CorpusIndexFixture.ShanghaiFile), "100 شركة");
            return ScriptedReply.Text($"تستهدف خطة العمل إنشاء 100 شركة تركز على التقنيات ذات الصلة [{marker}].");
        };
        await using var services = corpus.CreateServices(CorpusIndexFixture.ModelSettings(server.BaseUrl));
        var answers = services.GetRequiredService<AnswerService>();

        var first = await model.AskAsync(answers, new AskRequest(ShanghaiProjects));
        Assert.Empty(model.RewriteRequests); // nothing to rewrite without history
        var followUp = await model.AskAsync(answers, new AskRequest(CompaniesFollowUp, first.Done!.ConversationId));

        var rewrite = Assert.Single(model.RewriteRequests);
        var rewritePrompt = ScriptedModel.PromptOf(rewrite);
        Assert.Contains("user: " + ShanghaiProjects, rewritePrompt, StringComparison.Ordinal);
        Assert.Contains("Last message: " + CompaniesFollowUp, rewritePrompt, StringComparison.Ordinal);
        Assert.False(rewrite.Stream);
        Assert.Equal(rewritten, followUp.Done!.Question);
        Assert.Contains("السؤال: " + rewritten, ScriptedModel.PromptOf(model.AnswerRequests[^1]), StringComparison.Ordinal);
        Assert.Equal(AnswerModes.Llm, followUp.Done.Mode);
        var citation = Assert.Single(followUp.Citations);
        Assert.Equal(marker, citation.Marker);
        Assert.Contains("100 شركة", citation.Quote, StringComparison.Ordinal);
        corpus.AssertQuotesDocument(citation);
    }

    [Theory]
    [InlineData("وماذا عن الشركات؟", "كم مشروعًا مفتوح المصدر تستهدف شنغهاي؟", "كم مشروعًا مفتوح المصدر تستهدف شنغهاي — الشركات؟")]
    [InlineData("وما دور البنك المركزي فيها؟", "ما الشراكة التي أعلنها بوتين مع الصين؟", "ما الشراكة التي أعلنها بوتين مع الصين — ما دور البنك المركزي فيها؟")]
    [InlineData("And what about Flash MLA?", "When did DeepSeek announce its open source week?", "When did DeepSeek announce its open source week — Flash MLA?")]
    [InlineData("What is the value of the scientific devices offered by the platform?", "How many research teams does the facility support?", "What is the value of the scientific devices offered by the platform?")]
    public void Heuristic_FollowUp_JoinsItToThePreviousQuestionOnlyWhenElliptical(string question, string previous, string expected)
    {
        var rewriter = new QueryRewriter(null, PromptProvider.Load(TestPaths.Prompts), TextAnalyzer.Default);

        Assert.Equal(expected, rewriter.Heuristic(question, previous));
    }

    [Fact]
    public async Task AskStreamAsync_LongConversation_KeepsOnlyMaxHistoryMessages()
    {
        await using var services = corpus.CreateServices(new Dictionary<string, string?> { ["Answer:MaxHistoryMessages"] = "4" });
        var answers = services.GetRequiredService<AnswerService>();
        string[] questions = [ShanghaiProjects, "من أعلن عن الشراكة التكنولوجية بين روسيا والصين في الذكاء الاصطناعي؟", "متى أعلنت شركة DeepSeek عن أسبوع المصدر المفتوح؟"];

        string? conversation = null;
        foreach (var question in questions)
        {
            conversation = (await answers.AskAsync(new AskRequest(question, conversation))).ConversationId;
        }
        var history = await services.GetRequiredService<ConversationStore>().GetAsync(conversation!);

        Assert.Equal(4, history.Count);
        Assert.Equal([ConversationStore.User, ConversationStore.Assistant, ConversationStore.User, ConversationStore.Assistant], history.Select(m => m.Role));
        Assert.Equal(questions[1], history[0].Content);
        Assert.Equal(questions[2], history[2].Content);
        Assert.StartsWith(AnswerText.ExtractiveLead(Languages.Arabic), history[3].Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskStreamAsync_EmptyQuestion_ThrowsInvalidQuestion()
    {
        await using var services = corpus.CreateServices();
        var answers = services.GetRequiredService<AnswerService>();

        var error = await Assert.ThrowsAsync<InvalidQuestionException>(() => AnswerTestKit.RunAsync(answers, new AskRequest("   ")));

        Assert.Equal("empty_question", error.Code);
    }

    [Fact]
    public async Task Validate_EmptyAndOverlongQuestionsWithArabicUi_ThrowArabicMessages()
    {
        await using var services = corpus.CreateServices(new Dictionary<string, string?> { ["Answer:MaxQuestionChars"] = "40" });
        var answers = services.GetRequiredService<AnswerService>();

        var empty = Assert.Throws<InvalidQuestionException>(() => answers.Validate(new AskRequest(""), Languages.Arabic));
        var tooLong = Assert.Throws<InvalidQuestionException>(() => answers.Validate(new AskRequest(new string('x', 41) + "?"), Languages.Arabic));
        answers.Validate(new AskRequest(new string('x', 40)), Languages.Arabic);

        Assert.Equal("empty_question", empty.Code);
        Assert.Equal(AnswerText.EmptyQuestion(Languages.Arabic), empty.Message);
        Assert.Equal(Languages.Arabic, LanguageDetector.Detect(empty.Message));
        Assert.Equal("question_too_long", tooLong.Code);
        Assert.Equal(AnswerText.QuestionTooLong(Languages.Arabic, 40), tooLong.Message);
        Assert.Contains("40", tooLong.Message, StringComparison.Ordinal);
        Assert.Equal(Languages.Arabic, LanguageDetector.Detect(tooLong.Message));
    }

    [Fact]
    public async Task AskStreamAsync_OverlongArabicQuestion_ThrowsWithTheMessageInArabicAndAsksNothing()
    {
        await using var server = await ScriptedOpenAiServer.StartAsync();
        var settings = CorpusIndexFixture.ModelSettings(server.BaseUrl);
        settings["Answer:MaxQuestionChars"] = "40";
        await using var services = corpus.CreateServices(settings);
        var question = string.Concat(Enumerable.Repeat("ما خطة شنغهاي للمصادر المفتوحة؟ ", 3));

        var error = await Assert.ThrowsAsync<InvalidQuestionException>(() => AnswerTestKit.RunAsync(services.GetRequiredService<AnswerService>(), new AskRequest(question)));

        Assert.Equal("question_too_long", error.Code);
        Assert.Equal(AnswerText.QuestionTooLong(Languages.Arabic, 40), error.Message);
        Assert.Empty(server.Requests);
    }

    private void AssertExtractiveShape(AnswerRun run, string language)
    {
        var lines = run.Text.Split('\n');
        Assert.Equal(AnswerText.ExtractiveLead(language), lines[0]);
        var items = lines.Skip(1).Where(l => l.Length > 0).ToList();
        Assert.InRange(items.Count, 1, 3);
        Assert.Equal(items.Count, run.Citations.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var markers = CitationMarkerParser.Parse(items[i]);
            var marker = Assert.Single(markers);
            Assert.Equal(items[i].Length, marker.End);
            Assert.Equal([run.Citations[i].Marker], marker.Numbers);
            Assert.StartsWith("- ", items[i], StringComparison.Ordinal);
            Assert.False(items[i].StartsWith("- - ", StringComparison.Ordinal), "a quoted list item keeps only the answer's own bullet: " + items[i]);
        }
        Assert.Equal(language, LanguageDetector.Detect(run.Text));
        foreach (var citation in run.Citations)
        {
            Assert.InRange(citation.Marker, 1, run.Passages.Count);
            Assert.Equal(run.Passages[citation.Marker - 1].DocumentId, citation.DocumentId);
            corpus.AssertQuotesDocument(citation);
        }
        Assert.Empty(run.UnsupportedClaims);
    }
}

using PolicyChat.Core.Answering;
using PolicyChat.Core.Answering.Extractive;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Answering;

/// <summary>Which sentences an extractive answer quotes, and the lead above them.</summary>
public sealed class ExtractiveAnswererTests
{
    private static readonly TextAnalyzer Analyzer = TextAnalyzer.Default;
    private static readonly ExtractiveAnswerer Answerer = new(Analyzer);

    private static Passage Passage(int number, string text, string language) =>
        new(number, "doc" + number, "Title " + number, null, null, language, text, 0, text.Length, 1);

    [Fact]
    public void Answer_SentencesSharingNoTermWithTheQuestion_AreNotQuoted()
    {
        var passage = Passage(1,
            "The facility in Shanghai supports over 2,500 research teams every year. "
            + "Weather in the region was mild during the whole autumn season. "
            + "Officials opened a new railway line to the coast last month.", Languages.English);

        var answer = Answerer.Answer("How many research teams does the facility support?", Languages.English, [passage], TermStatistics.Empty, 3);

        var citation = Assert.Single(answer.Citations);
        Assert.Contains("2,500 research teams", citation.Quote, StringComparison.Ordinal);
        Assert.DoesNotContain("Weather", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_NoSentenceSharesATerm_StillQuotesTheBestRankedOne()
    {
        var first = Passage(1, "Weather in the region was mild during the whole autumn season. Officials opened a railway line.", Languages.English);
        var second = Passage(2, "Prices of fresh fruit rose sharply at the markets of the port city.", Languages.English);

        var answer = Answerer.Answer("How many research teams are there?", Languages.English, [first, second], TermStatistics.Empty, 3);

        var citation = Assert.Single(answer.Citations);
        Assert.Equal(1, citation.Marker);
        Assert.StartsWith("Weather", citation.Quote, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_NeighbourOfTheBestSentence_IsQuotedThroughTheAdjacencyBonusAlone()
    {
        var passage = Passage(1,
            "Chloroplasts have their own DNA, often abbreviated as ctDNA. It is also known as the plastome. "
            + "Chloroplasts are found in the leaves of plants. Their genomes are small.", Languages.English);
        const string question = "What is chloroplast DNA also called?";

        var withBonus = new ExtractiveAnswerer(Analyzer, new ExtractiveScoring { AdjacentBonus = 1.0 })
            .Answer(question, Languages.English, [passage], TermStatistics.Empty, 3);
        var withoutBonus = new ExtractiveAnswerer(Analyzer, new ExtractiveScoring { AdjacentBonus = 0 })
            .Answer(question, Languages.English, [passage], TermStatistics.Empty, 3);

        Assert.StartsWith("Chloroplasts have", withBonus.Citations[0].Quote, StringComparison.Ordinal);
        var neighbour = Assert.Single(withBonus.Citations, c => c.Quote.Contains("plastome", StringComparison.Ordinal));
        Assert.Equal(0, neighbour.Support);
        Assert.DoesNotContain(withBonus.Citations, c => c.Quote.Contains("genomes", StringComparison.Ordinal));
        Assert.DoesNotContain(withoutBonus.Citations, c => c.Quote.Contains("plastome", StringComparison.Ordinal));
    }

    [Fact]
    public void Answer_AllQuotesInAnotherLanguage_LeadSaysTheSourcesAreInThatLanguage()
    {
        var passage = Passage(1, "تأسست شركة DeepSeek في مايو 2023 في مدينة هانغتشو الصينية.", Languages.Arabic);

        var english = Answerer.Answer("When was DeepSeek founded?", Languages.English, [passage], TermStatistics.Empty, 3);

        Assert.StartsWith(AnswerText.ExtractiveLeadInSourceLanguage(Languages.English, Languages.Arabic) + "\n", english.Text, StringComparison.Ordinal);
        Assert.Contains("Arabic", english.Text.Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_QuotesInTheQuestionsLanguage_KeepThePlainLead()
    {
        var passage = Passage(1, "تأسست شركة DeepSeek في مايو 2023 في مدينة هانغتشو الصينية.", Languages.Arabic);

        var arabic = Answerer.Answer("متى تأسست DeepSeek؟", Languages.Arabic, [passage], TermStatistics.Empty, 3);

        Assert.StartsWith(AnswerText.ExtractiveLead(Languages.Arabic) + "\n", arabic.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_ArabicQuestionQuotingOnlyEnglishSources_LeadIsArabicAndNamesEnglish()
    {
        var passage = Passage(1, "DeepSeek was founded in May 2023 in Hangzhou, China.", Languages.English);

        var arabic = Answerer.Answer("متى تأسست DeepSeek؟", Languages.Arabic, [passage], TermStatistics.Empty, 3);

        var lead = arabic.Text.Split('\n')[0];
        Assert.Equal(AnswerText.ExtractiveLeadInSourceLanguage(Languages.Arabic, Languages.English), lead);
        Assert.Equal(Languages.Arabic, LanguageDetector.Detect(lead));
        Assert.Contains("إنجليزية", lead, StringComparison.Ordinal);
    }
}

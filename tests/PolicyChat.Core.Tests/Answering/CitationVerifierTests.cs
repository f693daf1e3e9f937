using PolicyChat.Core.Text;
using PolicyChat.Core.Answering;
using static PolicyChat.Core.Tests.Answering.CitationUnitSamples;

namespace PolicyChat.Core.Tests.Answering;

public sealed class CitationVerifierTests
{
    private readonly CitationVerifier _verifier = Verifier();

    [Fact]
    public void Verify_ClaimRestatingASentence_ScoresFullSupportAndQuotesThatSentence()
    {
        var passage = Arabic();

        var support = _verifier.Verify("تستهدف خطة العمل إنشاء 100 شركة تركز على التقنيات ذات الصلة", passage);

        Assert.Equal(1.0, support.Score, 3);
        Assert.Equal(ArabicSentence2, support.Quote);
        Assert.Equal(ArabicSentence2, ArabicDocument[support.Start..support.End]);
        Assert.Equal(passage.Start + ArabicPassageText.IndexOf(ArabicSentence2, StringComparison.Ordinal), support.Start);
    }

    [Fact]
    public void Verify_ClaimWithSomeTermsOfASentence_ScoresBetweenNoneAndFull()
    {
        var support = _verifier.Verify("تهدف شنغهاي إلى إنشاء 200 مطعم للمأكولات البحرية في دبي", Arabic());

        Assert.InRange(support.Score, 0.2, 0.8);
        Assert.Equal(ArabicSentence1, support.Quote);
    }

    [Fact]
    public void Verify_UnrelatedClaim_ScoresBelowTheCitationThreshold()
    {
        var support = _verifier.Verify("فازت الأرجنتين بكأس العالم لكرة القدم في قطر", Arabic());

        Assert.True(support.Score < 0.35, $"score {support.Score}");
    }

    [Fact]
    public void Verify_ClaimMergingTwoAdjacentSentences_IsSupportedByThePair()
    {
        var claim = "تهدف شنغهاي إلى إنشاء 200 مشروع مفتوح المصدر و100 شركة تركز على التقنيات";

        var support = _verifier.Verify(claim, Arabic());
        var alone = _verifier.Verify(claim, Arabic() with { Text = ArabicSentence1, End = Arabic().Start + ArabicSentence1.Length });

        Assert.True(support.Score > alone.Score, $"pair {support.Score} vs single {alone.Score}");
        Assert.True(support.Score >= 0.35);
        // The quote spans both sentences that support the merged claim.
        Assert.StartsWith(ArabicSentence1, support.Quote, StringComparison.Ordinal);
        Assert.True(support.Quote.Length > ArabicSentence1.Length);
    }

    [Fact]
    public void Verify_ArabicClaimAboutAnEnglishPassage_IsJudgedOnNamesAndNumbers()
    {
        var passage = English();

        var matching = _verifier.Verify("أعلنت شركة DeepSeek عن أسبوع المصدر المفتوح بدءًا من 24 فبراير", passage);
        var wrongNumber = _verifier.Verify("أعلنت شركة DeepSeek عن أسبوع المصدر المفتوح بدءًا من 30 مارس", passage);
        var noNeutralTerms = _verifier.Verify("أعلنت الشركة عن أسبوع المصدر المفتوح", passage);

        Assert.Equal(1.0, matching.Score, 3);
        Assert.Equal(EnglishSentence1, matching.Quote);
        Assert.Equal(EnglishSentence1, EnglishDocument[matching.Start..matching.End]);
        Assert.Equal(0.5, wrongNumber.Score, 3);
        Assert.Equal(0, noNeutralTerms.Score);
    }

    [Fact]
    public void Verify_EmptyClaim_HasNoSupport()
    {
        var support = _verifier.Verify("", Arabic());

        Assert.Equal(0, support.Score);
    }

    [Fact]
    public void Verify_EmptyPassage_HasNoSupportAndAnEmptyQuoteAtThePassageStart()
    {
        var passage = Arabic() with { Text = "", End = Arabic().Start };

        var support = _verifier.Verify("تهدف شنغهاي إلى إنشاء مشاريع", passage);

        Assert.Equal(0, support.Score);
        Assert.Equal("", support.Quote);
        Assert.Equal(passage.Start, support.Start);
        Assert.Equal(passage.Start, support.End);
    }
}

public sealed class CitationVerifierCrossLanguageTests
{
    private static readonly CitationVerifier s_verifier = new(TextAnalyzer.Default);

    private static Passage Arabic(string text) => new(1, "d1", "عنوان", null, null, Languages.Arabic, text, 100, 100 + text.Length, 1);

    [Fact]
    public void Verify_EnglishClaimWithNumberInArabicPassage_IsSupported()
    {
        var passage = Arabic("تهدف شنغهاي إلى إنشاء أكثر من 200 مشروع مفتوح المصدر خلال العامين المقبلين. وتخطط لتأسيس 100 شركة.");

        var support = s_verifier.Verify("Shanghai aims to create more than 200 open-source projects.", passage);

        Assert.True(support.Score >= 0.99, $"support {support.Score}");
        Assert.Contains("200", support.Quote, StringComparison.Ordinal);
        Assert.Equal(100, support.Start);
    }

    [Fact]
    public void Verify_EnglishClaimWithWrongNumber_IsNotSupported()
    {
        var passage = Arabic("تهدف شنغهاي إلى إنشاء أكثر من 200 مشروع مفتوح المصدر.");

        Assert.Equal(0, s_verifier.Verify("Shanghai aims to create 500 projects.", passage).Score);
    }

    [Fact]
    public void Verify_EnglishClaimWithoutNumbersOrNames_CannotBeVerified()
    {
        var passage = Arabic("أعلنت المدينة خطة جديدة للتعاون التقني.");

        Assert.Equal(0, s_verifier.Verify("The city announced a new plan.", passage).Score);
    }

    [Fact]
    public void Verify_EnglishClaimNamingLatinEntityInArabicPassage_IsSupported()
    {
        var passage = Arabic("أعلنت شركة DeepSeek عن إطلاق أسبوع المصدر المفتوح. وتأسست الشركة في مايو 2023.");

        var support = s_verifier.Verify("DeepSeek was founded in May 2023.", passage);

        // Name and year stand in two adjacent sentences: the pair window supports the claim (pairs weigh 0.95).
        Assert.True(support.Score >= 0.9, $"support {support.Score}");
        Assert.Contains("2023", support.Quote, StringComparison.Ordinal);
    }
}

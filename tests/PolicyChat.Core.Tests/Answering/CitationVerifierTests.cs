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
        Assert.Equal(ArabicSentence1, support.Quote);
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

using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Text;

/// <summary>Golden pairs of the heavier stemmer that matches question words to sentence words in extractive answers.</summary>
public sealed class ArabicMatchStemmerTests
{
    // As the scorer applies it: to the normalized word.
    private static string MatchStem(string word) => ArabicMatchStemmer.Stem(TextAnalyzer.Default.Normalize(word));

    [Theory]
    [InlineData("كمستشار", "مستشاره")] // preposition ك / pronoun ه
    [InlineData("هزمهم", "هزم")] // pronoun هم
    [InlineData("معلّمو", "معلمي")] // plural in construct, shadda
    [InlineData("بسياساتها", "السياسات")] // ب + ات + ها / article + ات
    [InlineData("وبرامجنا", "برامجهم")] // و + نا / هم
    [InlineData("بشركتنا", "شركة")] // ب + ت + نا / ة
    [InlineData("لموظفيهم", "موظفين")] // ل + ي + هم / ين
    public void Stem_WordFormsThatLight10KeepsApart_Meet(string question, string sentence)
    {
        Assert.Equal(MatchStem(question), MatchStem(sentence));
        Assert.NotEqual(TextAnalyzer.Default.Terms(question)[0], TextAnalyzer.Default.Terms(sentence)[0]);
    }

    [Theory]
    [InlineData("كتاب", "كتاب")] // nothing to strip
    [InlineData("بنت", "بنت")] // ب and ت would leave fewer than three letters
    [InlineData("ولد", "ولد")]
    [InlineData("الحق", "الحق")] // the article would leave two letters
    [InlineData("عرب", "عرب")]
    [InlineData("قالوا", "قال")]
    [InlineData("مدرستكم", "مدرس")] // two rounds: كم, then ت
    [InlineData("كتابهما", "تاب")] // crude: a leading ب ك ل is taken for a preposition; both sides are stemmed alike
    public void Stem_KeepsAtLeastThreeLetters(string word, string expected) =>
        Assert.Equal(expected, MatchStem(word));

    [Theory]
    [InlineData("policy")]
    [InlineData("DeepSeek")]
    [InlineData("2025")]
    [InlineData("")]
    public void Stem_OtherScripts_Unchanged(string word) =>
        Assert.Equal(word, ArabicMatchStemmer.Stem(word));
}

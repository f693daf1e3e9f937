using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Text;

public sealed class ArabicStemmerTests
{
    private static string Stem(string word, TextAnalyzer? analyzer = null)
    {
        var tokens = (analyzer ?? TextAnalyzer.Default).Tokenize(word);
        return Assert.Single(tokens).Term;
    }

    [Theory]
    [InlineData("وكتاب", "كتاب")] // و removed: the word is longer than 3 letters
    [InlineData("وكتب", "كتب")] // 4 letters: still removed
    [InlineData("ولد", "ولد")] // 3 letters: و kept
    [InlineData("وطن", "وطن")] // 3 letters: و kept
    public void Stem_WawPrefix_RemovedOnlyFromLongWords(string word, string expected) =>
        Assert.Equal(expected, Stem(word));

    [Theory]
    [InlineData("الكتاب", "كتاب")]
    [InlineData("والكتاب", "كتاب")] // و, then ال
    [InlineData("بالكتاب", "كتاب")]
    [InlineData("كالكتاب", "كتاب")]
    [InlineData("فالكتاب", "كتاب")]
    [InlineData("للكتاب", "كتاب")]
    [InlineData("وللكتاب", "كتاب")]
    [InlineData("الحق", "حق")] // two letters remain: allowed
    public void Stem_DefiniteArticle_Removed(string word, string expected) =>
        Assert.Equal(expected, Stem(word));

    [Theory]
    [InlineData("ألف", "الف")] // ال would leave one letter
    [InlineData("بال", "بال")] // بال would leave nothing
    public void Stem_DefiniteArticle_KeptWhenTooFewLettersRemain(string word, string expected) =>
        Assert.Equal(expected, Stem(word));

    [Theory]
    [InlineData("كتابها", "كتاب")] // ها
    [InlineData("مهندسان", "مهندس")] // ان
    [InlineData("كتابات", "كتاب")] // ات
    [InlineData("مهندسون", "مهندس")] // ون
    [InlineData("مهندسين", "مهندس")] // ين
    [InlineData("عربية", "عرب")] // ية → يه
    [InlineData("كتابه", "كتاب")] // ه
    [InlineData("مدرسة", "مدرس")] // ة → ه
    [InlineData("عربي", "عرب")] // ي
    [InlineData("مستشفى", "مستشف")] // ى → ي
    [InlineData("معلوماتها", "معلوم")] // ها then ات
    [InlineData("والمعلومات", "معلوم")] // و, ال, ات
    [InlineData("الاصطناعي", "اصطناع")] // ال, ي
    [InlineData("مدينة", "مدين")] // one pass in Light10 order: ين is not tried again after ه
    public void Stem_Suffixes_Removed(string word, string expected) =>
        Assert.Equal(expected, Stem(word));

    [Theory]
    [InlineData("بات", "بات")] // ات would leave one letter
    [InlineData("عون", "عون")] // ون would leave one letter
    [InlineData("دين", "دين")] // ين would leave one letter
    [InlineData("مها", "مها")] // ها would leave one letter
    [InlineData("زي", "زي")] // ي would leave one letter
    public void Stem_Suffixes_KeptWhenTooFewLettersRemain(string word, string expected) =>
        Assert.Equal(expected, Stem(word));

    [Theory]
    [InlineData("كرة", "كر", "كره")] // ه: 2 letters remain
    [InlineData("الحق", "حق", "الحق")] // ال: 2 letters remain
    [InlineData("وكتب", "كتب", "وكتب")] // و: 3 letters remain
    [InlineData("كتابات", "كتاب", "كتاب")] // 4 letters remain either way
    public void Stem_MinArabicStemLength_Respected(string word, string withDefault, string withThree)
    {
        var strict = new TextAnalyzer(new TextAnalyzerOptions { MinArabicStemLength = 3 });
        Assert.Equal(withDefault, Stem(word));
        Assert.Equal(withThree, Stem(word, strict));
    }

    [Theory]
    [InlineData("والمعلومات", "معلومات")]
    [InlineData("بالصين", "الصين")]
    [InlineData("الصيني", "الصين")]
    [InlineData("للشركات", "الشركة")]
    [InlineData("وبالتكنولوجيا", "التكنولوجيا")]
    [InlineData("معلوماتها", "المعلومات")]
    [InlineData("الحكومة", "حكومة")]
    public void Terms_InflectedArabicForms_ShareStem(string query, string document)
    {
        var queryTerms = TextAnalyzer.Default.Terms(query);
        var documentTerms = TextAnalyzer.Default.Terms(document);
        Assert.Equal(Assert.Single(documentTerms), Assert.Single(queryTerms));
    }
}

public sealed class ArabicStemmerExtensionTests
{
    private static string Stem(string word) => Assert.Single(TextAnalyzer.Default.Tokenize(word)).Term;

    [Theory]
    [InlineData("مشروعًا", "مشروع")] // accusative tanween alef (after ً is removed)
    [InlineData("فريقًا", "فريق")]
    [InlineData("إنشاء", "انشا")] // final hamza
    [InlineData("إنشائه", "انشا")] // ئه → يه suffix: the same stem as إنشاء
    [InlineData("كتابها", "كتاب")] // a suffix applied: the alef of ها is not touched again
    [InlineData("دعا", "دعا")] // short words keep their last letter
    [InlineData("سماء", "سماء")] // four letters: hamza kept
    public void Stem_FinalAlefAndHamza_RemovedFromLongerWords(string word, string expected) =>
        Assert.Equal(expected, Stem(word));

    [Theory]
    [InlineData("روسيا", "روس")] // the final alef, then the nisba ي: the stem of روسي, الروسي, الروسية
    [InlineData("تكنولوجيا", "تكنولوج")]
    [InlineData("حاليًا", "حال")] // tanween alef, then ي: the stem of الحالي
    [InlineData("قضايا", "قضا")]
    [InlineData("مشروعًا", "مشروع")] // no ي before the alef: nothing more
    public void Stem_FinalAlefAfterYeh_RemovesTheYehToo(string word, string expected) =>
        Assert.Equal(expected, Stem(word));

    [Theory]
    [InlineData("روسيا", "الروسي")]
    [InlineData("روسيا", "الروسية")]
    [InlineData("روسيا", "روسي")]
    [InlineData("التكنولوجيا", "التكنولوجية")]
    [InlineData("بريطانيا", "البريطاني")]
    [InlineData("عالميًا", "العالمي")]
    public void Terms_CountryOrAdverbAndItsAdjective_ShareStem(string query, string document) =>
        Assert.Equal(Assert.Single(TextAnalyzer.Default.Terms(document)), Assert.Single(TextAnalyzer.Default.Terms(query)));

    [Fact]
    public void Terms_TanweenQuestionAndDocument_ShareStem() =>
        Assert.Equal(TextAnalyzer.Default.Terms("مشروع"), TextAnalyzer.Default.Terms("كم مشروعًا"));
}

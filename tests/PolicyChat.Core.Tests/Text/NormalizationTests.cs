using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Text;

public sealed class NormalizationTests
{
    private readonly TextAnalyzer _analyzer = TextAnalyzer.Default;

    [Theory]
    [InlineData("\u0643\u064E\u062A\u064E\u0628\u064E", "كتب")] // fatha
    [InlineData("\u0634\u0643\u0631\u064B\u0627", "شكرا")] // fathatan
    [InlineData("\u0643\u062A\u0627\u0628\u064C", "كتاب")] // dammatan
    [InlineData("\u0643\u062A\u0627\u0628\u064D", "كتاب")] // kasratan
    [InlineData("\u0645\u064F\u062D\u064E\u0645\u0651\u064E\u062F", "محمد")] // damma, fatha, shadda
    [InlineData("\u0645\u0650\u0646", "من")] // kasra
    [InlineData("\u0642\u064F\u0644\u0652", "قل")] // sukun
    [InlineData("\u0628\u0656", "ب")] // subscript alef (U+0656)
    [InlineData("\u0628\u065F", "ب")] // wavy hamza below (U+065F, end of the range)
    [InlineData("\u0647\u0670\u0630\u0627", "هذا")] // superscript alef U+0670
    [InlineData("\u0630\u0644\u0643\u06D6", "ذلك")] // Quranic small high ligature (U+06D6)
    [InlineData("\u0628\u06ED", "ب")] // Quranic small low meem (U+06ED, end of the range)
    public void Normalize_ArabicDiacritics_Removed(string raw, string expected) =>
        Assert.Equal(expected, _analyzer.Normalize(raw));

    [Theory]
    [InlineData("\u0627\u0644\u0639\u0640\u0640\u0640\u0631\u0628\u064A", "العربي")]
    [InlineData("\u062A\u0640\u0645", "تم")]
    public void Normalize_Tatweel_Removed(string raw, string expected) =>
        Assert.Equal(expected, _analyzer.Normalize(raw));

    [Theory]
    [InlineData("أحمد", "احمد")] // alef with hamza above U+0623
    [InlineData("إسلام", "اسلام")] // alef with hamza below U+0625
    [InlineData("آخر", "اخر")] // alef with madda U+0622
    [InlineData("\u0671\u0644\u0644\u0647", "الله")] // alef wasla U+0671
    [InlineData("\u0627\u0654\u0645\u0644", "امل")] // alef + combining hamza (NFKC composes it into U+0623)
    [InlineData("مستشفى", "مستشفي")] // alef maqsura → yeh
    [InlineData("مدرسة", "مدرسه")] // teh marbuta → heh
    [InlineData("مسؤول", "مسوول")] // waw with hamza → waw
    [InlineData("رئيس", "رييس")] // yeh with hamza → yeh
    [InlineData("\u0639\u0644\u06CC", "علي")] // Persian yeh → Arabic yeh
    [InlineData("\u06A9\u062A\u0627\u0628", "كتاب")] // Persian keheh → kaf
    public void Normalize_ArabicLetterForms_Unified(string raw, string expected) =>
        Assert.Equal(expected, _analyzer.Normalize(raw));

    [Theory]
    [InlineData("٠١٢٣٤٥٦٧٨٩", "0123456789")] // Arabic-Indic
    [InlineData("۰۱۲۳۴۵۶۷۸۹", "0123456789")] // Persian
    [InlineData("\u0662\u066C\u0665\u0660\u0660", "2,500")] // Arabic thousands separator
    [InlineData("\u0663\u066B\u0665", "3.5")] // Arabic decimal separator
    [InlineData("\uFF12\uFF10\uFF12\uFF15", "2025")] // full-width digits
    public void Normalize_Digits_Ascii(string raw, string expected) =>
        Assert.Equal(expected, _analyzer.Normalize(raw));

    [Theory]
    [InlineData("\uFEFB", "لا")] // lam-alef ligature, isolated
    [InlineData("\uFEF7", "لا")] // lam-alef with hamza above (→ لأ → لا)
    [InlineData("\uFE8D\uFEDF\uFEB4\uFEFC\uFEE1", "السلام")] // positional forms
    [InlineData("\uFDF2", "الله")] // Allah ligature
    [InlineData("\uFB50", "ا")] // alef wasla isolated form (FB50)
    public void Normalize_PresentationForms_Folded(string raw, string expected) =>
        Assert.Equal(expected, _analyzer.Normalize(raw));

    [Theory]
    [InlineData("\uFF21\uFF29\u3000\uFF30\uFF4F\uFF4C\uFF49\uFF43\uFF59", "ai policy")] // full-width Latin and space
    [InlineData("DeepSeek AI", "deepseek ai")]
    [InlineData("ÉCOLE", "école")]
    public void Normalize_LatinWidthAndCase_Folded(string raw, string expected) =>
        Assert.Equal(expected, _analyzer.Normalize(raw));

    [Theory]
    [InlineData("don't", "dont")]
    [InlineData("O\u2019Brien", "obrien")]
    [InlineData("'quoted'", "'quoted'")] // apostrophes at word edges are punctuation and stay
    [InlineData("inter\u00ADnational", "international")] // soft hyphen
    [InlineData("ال\u200Cكتاب", "الكتاب")] // zero-width non-joiner
    [InlineData("\u200Fمرحبا", "مرحبا")] // right-to-left mark
    public void Normalize_InvisiblesAndApostrophes_Removed(string raw, string expected) =>
        Assert.Equal(expected, _analyzer.Normalize(raw));

    [Theory]
    [InlineData("مرحبا، العالم!", "مرحبا، العالم!")]
    [InlineData("\u0642\u0627\u0646\u0648\u0646\u064F \u0627\u0644\u0630\u0643\u0627\u0621\u0650 \u0627\u0644\u0627\u0635\u0637\u0646\u0627\u0639\u064A\u0651 \u0644\u0639\u0627\u0645 \u0662\u0660\u0662\u0664",
        "قانون الذكاء الاصطناعي لعام 2024")]
    [InlineData("Policy (2025): AI-Act.", "policy (2025): ai-act.")]
    [InlineData("", "")]
    public void Normalize_WholeText_KeepsSpacesAndPunctuation(string raw, string expected) =>
        Assert.Equal(expected, _analyzer.Normalize(raw));

    [Theory]
    [InlineData("أَعلنتْ الحكومةُ إطلاقَ ٣ مبادرات")]
    [InlineData("ＡＩ ﻻ ﷲ DeepSeek")]
    [InlineData("The Ministry’s 2,500 grants")]
    public void Normalize_Twice_SameAsOnce(string raw)
    {
        string once = _analyzer.Normalize(raw);
        Assert.Equal(once, _analyzer.Normalize(once));
    }
}

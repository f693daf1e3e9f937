using PolicyChat.Core.Documents;

namespace PolicyChat.Core.Tests.Documents;

/// <summary>Golden (raw, expected) pairs: raw lines are what pdftotext printed for the Arabic PDFs Chromium made here.</summary>
public sealed class PdfTextCleanupTests
{
    [Theory]
    // pdftotext wraps every Arabic line in U+202B…U+202C and the full stop in U+202A…U+202C.
    [InlineData("\u202Bداخل المملكة لمدة لا تتجاوز خمس سنوات\u202A.\u202C\u202C", "داخل المملكة لمدة لا تتجاوز خمس سنوات.")]
    // Split after the right-joining و: the lone conjunction and a two-letter tail are glued back.
    [InlineData("\u202Bو يجب على كل جهة تعيين مسؤول يرفع تقريرًا سنو يًا إلى الهيئة\u202C", "ويجب على كل جهة تعيين مسؤول يرفع تقريرًا سنويًا إلى الهيئة")]
    // Tesseract's LRM/RLM around Latin runs.
    [InlineData("مسؤول \u200EGDPR\u200F البيانات", "مسؤول GDPR البيانات")]
    // Real word boundaries after right-joining letters stay: a longer word, a listed short word, a digit, Latin text.
    [InlineData("تتجاوز خمس سنوات", "تتجاوز خمس سنوات")]
    [InlineData("هو في المادة ٣ أو من الفقرة", "هو في المادة ٣ أو من الفقرة")]
    [InlineData("حماية البيانات داخل المملكة", "حماية البيانات داخل المملكة")]
    [InlineData("الفقرة ب من القرار", "الفقرة ب من القرار")]
    [InlineData("policy and data", "policy and data")]
    public void Clean_PdftotextArabic_ControlsStrippedAndSplitWordsRejoined(string raw, string expected) =>
        Assert.Equal(expected, PdfTextCleanup.Clean(raw));
}

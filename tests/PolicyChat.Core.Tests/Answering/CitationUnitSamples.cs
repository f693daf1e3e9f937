using PolicyChat.Core.Answering;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Answering;

/// <summary>Hand-made documents and passages for the citation filter and verifier.</summary>
internal static class CitationUnitSamples
{
    public const string ArabicSentence1 = "تهدف شنغهاي إلى إنشاء أكثر من 200 مشروع مفتوح المصدر خلال العامين المقبلين.";
    public const string ArabicSentence2 = "وتستهدف خطة العمل إنشاء 100 شركة تركز على التقنيات ذات الصلة.";
    public const string ArabicSentence3 = "وتأتي المبادرة ضمن سعي الصين إلى الاكتفاء الذاتي في الرقائق.";

    public const string EnglishSentence1 = "DeepSeek announced an open source week starting on February 24.";
    public const string EnglishSentence2 = "The first release was FlashMLA, a decoding kernel for Hopper GPUs.";

    /// <summary>A document whose passage starts after a preamble, so offsets are not passage-relative.</summary>
    public static string ArabicDocument { get; } = "مقدمة لا علاقة لها بالموضوع.\n" + ArabicPassageText + "\nخاتمة.";

    public static string ArabicPassageText => $"{ArabicSentence1} {ArabicSentence2} {ArabicSentence3}";

    public static string EnglishDocument { get; } = "Preamble line.\n" + EnglishPassageText;

    public static string EnglishPassageText => $"{EnglishSentence1} {EnglishSentence2}";

    public static Passage Arabic(int number = 1) => PassageOf(number, "doc-ar", "خطة شنغهاي", Languages.Arabic, ArabicDocument, ArabicPassageText);

    public static Passage English(int number = 2) => PassageOf(number, "doc-en", "DeepSeek open source week", Languages.English, EnglishDocument, EnglishPassageText);

    public static CitationVerifier Verifier() => new(TextAnalyzer.Default);

    private static Passage PassageOf(int number, string id, string title, string language, string document, string text)
    {
        var start = document.IndexOf(text, StringComparison.Ordinal);
        return new Passage(number, id, title, "Outlet", "2025-01-08", language, text, start, start + text.Length, 1.0);
    }
}

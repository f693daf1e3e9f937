using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Text;

public sealed class LanguageDetectorTests
{
    [Theory]
    [InlineData("أعلنت الحكومة عن استراتيجية وطنية للذكاء الاصطناعي", Languages.Arabic)]
    [InlineData("\uFE8D\uFEDF\uFEB4\uFEFC\uFEE1", Languages.Arabic)] // presentation forms
    [InlineData("The ministry published new rules on generative AI.", Languages.English)]
    [InlineData("Élaboration d'une stratégie numérique", Languages.English)] // Latin script, whatever the language
    [InlineData("人工智能治理规则", Languages.Chinese)]
    [InlineData("ひらがなとカタカナ", Languages.Chinese)] // kana count with CJK
    [InlineData("Привет мир", Languages.Other)] // Cyrillic
    [InlineData("", Languages.Other)]
    [InlineData("2025 — 3.5% !!!", Languages.Other)] // no letters
    public void Detect_SingleScript_Language(string text, string expected) =>
        Assert.Equal(expected, LanguageDetector.Detect(text));

    [Theory]
    [InlineData("أعلنت شركة DeepSeek عن 200 مشروع جديد في الصين", Languages.Arabic)]
    [InlineData("人工智能治理新规 The Cyberspace Administration of China published new rules on generative AI services on Monday.", Languages.English)]
    [InlineData("我们讨论了AI和GPT模型的治理问题", Languages.Chinese)]
    [InlineData("ABC 中", Languages.English)] // 3 Latin letters against 1 × 2
    [InlineData("AB 中文", Languages.Chinese)] // 2 Latin letters against 2 × 2
    [InlineData("Привет world", Languages.Other)] // 6 Cyrillic against 5 Latin
    public void Detect_MixedScripts_LargestWeightedShareWins(string text, string expected) =>
        Assert.Equal(expected, LanguageDetector.Detect(text));
}

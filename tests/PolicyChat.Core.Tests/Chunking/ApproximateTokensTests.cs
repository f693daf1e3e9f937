using PolicyChat.Core.Chunking;

namespace PolicyChat.Core.Tests.Chunking;

public sealed class ApproximateTokensTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   \n\t")]
    public void ApproximateTokens_EmptyOrWhiteSpace_IsZero(string text) => Assert.Equal(0, Chunker.ApproximateTokens(text));

    [Fact]
    public void ApproximateTokens_PrefixesOfMixedText_NeverDecrease()
    {
        var text = string.Join(' ', ChunkSamples.EnglishSentences) + " " + string.Join(' ', ChunkSamples.ArabicSentences) + " "
            + string.Concat(ChunkSamples.ChineseSentences) + " don't 12345678 ١٢٣ 😀 𠀀 — end";
        var previous = 0;
        for (var length = 0; length <= text.Length; length++)
        {
            var tokens = Chunker.ApproximateTokens(text[..length]);
            Assert.True(tokens >= previous, $"count fell from {previous} to {tokens} at length {length}");
            previous = tokens;
        }
        Assert.True(previous > 100);
    }

    [Fact]
    public void ApproximateTokens_EnglishWords_AboutOnePointThreePerWord()
    {
        var text = string.Join(' ', Enumerable.Repeat("regulation applies to providers", 25));

        Assert.Equal(130, Chunker.ApproximateTokens(text));
    }

    [Fact]
    public void ApproximateTokens_ArabicLetters_AboutOneThirdPerLetter()
    {
        var word = "الذكاء";
        var text = string.Join(' ', Enumerable.Repeat(word, 50));

        Assert.Equal(100, Chunker.ApproximateTokens(text));
    }

    [Fact]
    public void ApproximateTokens_ChineseCharacters_OnePerCharacter()
    {
        var text = string.Concat(Enumerable.Repeat("人工智能", 25));

        Assert.Equal(100, Chunker.ApproximateTokens(text));
    }

    [Theory]
    [InlineData("1234567890", 4)]
    [InlineData("2025 2026", 4)]
    [InlineData("١٢٣", 1)]
    [InlineData("Hello, world.", 4)]
    public void ApproximateTokens_DigitsAndPunctuation_AsDocumented(string text, int expected) =>
        Assert.Equal(expected, Chunker.ApproximateTokens(text));

    [Fact]
    public void ApproximateTokens_RealisticSentences_WithinBroadBands()
    {
        var english = string.Join(' ', ChunkSamples.EnglishSentences);
        var englishWords = english.Split(' ').Length;
        Assert.InRange(Chunker.ApproximateTokens(english), englishWords, englishWords * 2);

        var arabic = string.Join(' ', ChunkSamples.ArabicSentences);
        var arabicWords = arabic.Split(' ').Length;
        Assert.InRange(Chunker.ApproximateTokens(arabic), arabicWords, arabicWords * 3);

        var chinese = string.Concat(ChunkSamples.ChineseSentences);
        Assert.InRange(Chunker.ApproximateTokens(chinese), chinese.Length * 0.8, chinese.Length * 1.2);
    }
}

using PolicyChat.Core.Answering;
using PolicyChat.Core.Tokens;

namespace PolicyChat.Core.Tests.Tokens;

public sealed class TokenizerFactoryTests
{
    /// <summary>
    /// A 600-piece BPE SentencePiece model trained on the sample corpus with Debian's spm_train
    /// (<c>spm_train --input=corpus/0*.txt --vocab_size=600 --model_type=bpe --character_coverage=1.0
    /// --normalization_rule_name=identity</c>); the expected ids below are spm_encode's output for the same model.
    /// </summary>
    private static readonly string s_sentencePieceModel = Path.Combine(AppContext.BaseDirectory, "Tokens", "testdata", "sample-bpe600.model");

    [Theory]
    [InlineData("ما هي سياسة حماية البيانات؟ Data must stay.", new[] { 403, 69, 474, 128, 23, 438, 87, 76, 6, 121, 400, 11, 0, 115, 63, 498, 450, 524, 326, 170, 500, 498, 542, 499 })]
    [InlineData("تهدف شنغهاي إلى إنشاء أكثر من 200 مشروع مفتوح المصدر", new[] { 315, 208, 67, 32, 354, 401, 435, 22, 104, 522, 5, 496, 48, 481, 158, 159 })]
    public void Create_SentencePieceModel_EncodesLikeSpmEncode(string text, int[] expected)
    {
        var tokenizer = TokenizerFactory.Create(new TokenizerOptions { Path = s_sentencePieceModel });

        Assert.Equal(expected, tokenizer.EncodeToIds(text));
        Assert.Equal(expected.Length, tokenizer.CountTokens(text));
    }

    [Fact]
    public void Create_NoPath_IsO200kWhichCountsArabicCompactly()
    {
        const string text = "تهدف شنغهاي إلى إنشاء أكثر من 200 مشروع مفتوح المصدر خلال العامين المقبلين";

        var tokenizer = TokenizerFactory.Create(new TokenizerOptions());

        Assert.Same(TokenizerFactory.Default, tokenizer);
        Assert.InRange(tokenizer.CountTokens(text), 10, 30);
        Assert.Equal("o200k", TokenizerFactory.Describe(new TokenizerOptions()));
    }

    [Fact]
    public void Validate_MissingOrUnknownFile_NamesTheSetting()
    {
        var missing = new TokenizerOptions { Path = "/nowhere/tokenizer.model" }.Validate().ToList();
        var unknown = new TokenizerOptions { Path = typeof(TokenizerFactoryTests).Assembly.Location }.Validate().ToList();
        var vocabWithoutMerges = Path.Combine(TestPaths.NewTempDirectory(), "vocab.json");
        File.WriteAllText(vocabWithoutMerges, "{}");

        Assert.StartsWith("Tokenizer:Path names no file", Assert.Single(missing), StringComparison.Ordinal);
        Assert.StartsWith("Tokenizer:Path must be", Assert.Single(unknown), StringComparison.Ordinal);
        Assert.Contains("merges.txt", Assert.Single(new TokenizerOptions { Path = vocabWithoutMerges }.Validate()), StringComparison.Ordinal);
        Assert.Empty(new TokenizerOptions { Path = s_sentencePieceModel }.Validate());
    }

    [Fact]
    public async Task PromptBudget_SentencePieceTokenizer_FitsThePromptInItsOwnTokens()
    {
        var tokenizer = TokenizerFactory.Create(new TokenizerOptions { Path = s_sentencePieceModel });
        var prompts = PromptProvider.Load(TestPaths.Prompts);
        var text = string.Concat(Enumerable.Repeat("تهدف شنغهاي إلى إنشاء أكثر من 200 مشروع مفتوح المصدر. ", 12));
        var passages = Enumerable.Range(1, 5).Select(n => new Passage(n, "d" + n, "عنوان " + n, null, null, "ar", text, 0, text.Length, 1)).ToList();
        var budget = new PromptBudget(prompts, tokenizer, 1800, 300);

        var fitted = await budget.FitAsync(PromptProvider.AnswerArabic, new Dictionary<string, string> { ["question"] = "كم مشروعًا؟" }, passages, [], "");

        Assert.InRange(fitted.Tokens, 1, 1500);
        Assert.Equal(fitted.Tokens, tokenizer.CountTokens(fitted.Text));
        Assert.InRange(fitted.PassagesSent, 1, 4);
    }

    [Fact]
    public void Create_BpeVocabAndMerges_EncodesWithTheMerges()
    {
        // A Qwen-style byte-level BPE in miniature: "lo", "low" and "er" come from the merges.
        var folder = TestPaths.NewTempDirectory();
        var vocab = Path.Combine(folder, "vocab.json");
        File.WriteAllText(vocab, """{"l":0,"o":1,"w":2,"e":3,"r":4,"Ġ":5,"lo":6,"low":7,"Ġl":8,"Ġlow":9,"er":10,"Ġlo":11}""");
        File.WriteAllText(Path.Combine(folder, "merges.txt"), "#version: 0.2\nĠ l\nĠl o\nĠlo w\nl o\nlo w\ne r\n");

        var tokenizer = TokenizerFactory.Create(new TokenizerOptions { Path = vocab });

        Assert.Equal([7], tokenizer.EncodeToIds("low"));
        Assert.Equal([7, 10], tokenizer.EncodeToIds("lower"));
        Assert.StartsWith("bpe:", TokenizerFactory.Describe(new TokenizerOptions { Path = vocab }), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_BertVocab_SplitsIntoWordPieces()
    {
        var vocab = Path.Combine(TestPaths.NewTempDirectory(), "vocab.txt");
        File.WriteAllLines(vocab, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "data", "##base", "policy", "the"]);

        var tokenizer = TokenizerFactory.Create(new TokenizerOptions { Path = vocab });

        Assert.Equal([8, 5, 6, 7], tokenizer.EncodeToIds("the database policy").Where(id => id > 4));
    }
}

using Microsoft.ML.Tokenizers;

namespace PolicyChat.Core.Tokens;

/// <summary>Creates the <see cref="Tokenizer"/> named by <see cref="TokenizerOptions"/> (Microsoft.ML.Tokenizers).</summary>
public static partial class TokenizerFactory
{
    public const string O200k = "o200k";
    public const string SentencePiece = "sentencepiece";
    public const string Bpe = "bpe";
    public const string Bert = "bert";

    private static readonly Lazy<Tokenizer> s_o200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    /// <summary>Tiktoken o200k_base, loaded once.</summary>
    public static Tokenizer Default => s_o200k.Value;

    /// <summary>The tokenizer for <paramref name="options"/>; files are read once, here.</summary>
    public static Tokenizer Create(TokenizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.Path;
        switch (string.IsNullOrWhiteSpace(path) ? O200k : KindOf(path))
        {
            case O200k:
                return Default;
            case SentencePiece:
                using (var stream = File.OpenRead(path))
                {
                    return SentencePieceTokenizer.Create(stream, false, false);
                }
            case Bpe:
                return BpeTokenizer.Create(new BpeOptions(path, MergesPath(path)) { ByteLevel = true, PreTokenizer = new RegexPreTokenizer(QwenPattern(), null) });
            case Bert:
                return BertTokenizer.Create(path);
            default:
                throw new InvalidOperationException($"{TokenizerOptions.SectionName}:Path '{path}' is not a tokenizer file this service reads.");
        }
    }

    /// <summary>A short name recorded with the index: <c>o200k</c>, or the kind and file name.</summary>
    public static string Describe(TokenizerOptions options) =>
        string.IsNullOrWhiteSpace(options?.Path) ? O200k : $"{KindOf(options.Path)}:{System.IO.Path.GetFileName(options.Path)}";

    /// <summary>The kind of tokenizer file by its name, or null.</summary>
    public static string? KindOf(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (name.EndsWith(".model", StringComparison.OrdinalIgnoreCase))
        {
            return SentencePiece;
        }
        if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return Bpe;
        }
        return name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) ? Bert : null;
    }

    /// <summary>The pre-tokenizer pattern of Qwen2/Qwen2.5's byte-level BPE (GPT-4 style: words keep their leading space).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")]
    private static partial System.Text.RegularExpressions.Regex QwenPattern();

    /// <summary><c>merges.txt</c> beside a <c>vocab.json</c>.</summary>
    public static string MergesPath(string vocabPath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(vocabPath)) ?? ".", "merges.txt");
}

namespace PolicyChat.Core.Tokens;

/// <summary>
/// The tokenizer prompts and chunks are measured with. Bound from the <c>Tokenizer</c> configuration section.
/// </summary>
public sealed class TokenizerOptions
{
    public const string SectionName = "Tokenizer";

    /// <summary>
    /// Empty: Tiktoken o200k. Otherwise the model's own tokenizer file: a SentencePiece <c>.model</c> (bge-m3 and many
    /// multilingual models), a byte-level BPE <c>vocab.json</c> with <c>merges.txt</c> beside it (Qwen), or a BERT
    /// <c>vocab.txt</c>.
    /// </summary>
    public string Path { get; set; } = "";

    /// <summary>Problems with these settings, each naming the setting and what to fix; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield break;
        }
        if (!File.Exists(Path))
        {
            yield return $"{SectionName}:Path names no file ('{Path}'); give a SentencePiece .model, a vocab.json with merges.txt beside it, a BERT vocab.txt, or leave it empty for o200k";
        }
        else if (TokenizerFactory.KindOf(Path) is null)
        {
            yield return $"{SectionName}:Path must be a SentencePiece .model, a vocab.json (with merges.txt beside it) or a BERT vocab.txt (it is '{Path}')";
        }
        else if (TokenizerFactory.KindOf(Path) == TokenizerFactory.Bpe && !File.Exists(TokenizerFactory.MergesPath(Path)))
        {
            yield return $"{SectionName}:Path is a vocab.json but {TokenizerFactory.MergesPath(Path)} is missing";
        }
    }
}

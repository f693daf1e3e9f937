using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyChat.Core.Evaluation;

/// <summary>Gold questions about a collection: expected documents by file name, follow-up history, unanswerable ones.</summary>
public sealed record AnswerGoldSet(
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("corpus")] string Corpus,
    [property: JsonPropertyName("questions")] IReadOnlyList<GoldQuestion> Questions)
{
    public static AnswerGoldSet Load(string path)
    {
        using var stream = File.OpenRead(path);
        var set = JsonSerializer.Deserialize(stream, GoldJsonContext.Default.AnswerGoldSet)
            ?? throw new InvalidDataException($"{path} is not a gold set.");
        if (set.Questions is null || set.Questions.Count == 0)
        {
            throw new InvalidDataException($"{path} holds no questions.");
        }
        return set;
    }

    /// <summary>The collection folder, resolved relative to the gold file.</summary>
    public string CorpusFolder(string goldPath) =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(goldPath))!, Corpus));
}

public sealed record GoldQuestion(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("answerable")] bool Answerable,
    [property: JsonPropertyName("expected_documents")] IReadOnlyList<string>? ExpectedDocuments = null,
    [property: JsonPropertyName("history")] IReadOnlyList<string>? History = null,
    [property: JsonPropertyName("requires_translation")] bool RequiresTranslation = false)
{
    public const string SameLanguage = "same-language";
    public const string CrossLingual = "cross-lingual";
    public const string FollowUp = "follow-up";
    public const string Unanswerable = "unanswerable";
}

[JsonSerializable(typeof(AnswerGoldSet))]
internal sealed partial class GoldJsonContext : JsonSerializerContext;

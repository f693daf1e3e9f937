using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyChat.Core.Evaluation;

/// <summary>A SQuAD v1.1 file flattened: every paragraph is a passage, every question knows its passage index.</summary>
public sealed record SquadDataset(IReadOnlyList<SquadPassage> Passages, IReadOnlyList<SquadQuestion> Questions)
{
    public static SquadDataset Load(string path)
    {
        using var stream = File.OpenRead(path);
        var file = JsonSerializer.Deserialize(stream, SquadJsonContext.Default.SquadFile)
            ?? throw new InvalidDataException($"{path} is not a SQuAD file.");
        var passages = new List<SquadPassage>();
        var questions = new List<SquadQuestion>();
        foreach (var article in file.Data ?? [])
        {
            foreach (var paragraph in article.Paragraphs ?? [])
            {
                var index = passages.Count;
                passages.Add(new SquadPassage(index, (article.Title ?? "").Replace('_', ' '), paragraph.Context ?? ""));
                foreach (var qa in paragraph.Qas ?? [])
                {
                    questions.Add(new SquadQuestion(qa.Id ?? "", qa.Question ?? "", index));
                }
            }
        }
        if (passages.Count == 0)
        {
            throw new InvalidDataException($"{path} holds no paragraphs (expected SQuAD v1.1 JSON: data[].paragraphs[].context).");
        }
        return new SquadDataset(passages, questions);
    }

    /// <summary>
    /// Questions from a parallel file (same articles, paragraphs and question order, e.g. XQuAD in another language)
    /// paired with this file's passages.
    /// </summary>
    public SquadDataset WithQuestionsFrom(SquadDataset other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Passages.Count != Passages.Count)
        {
            throw new InvalidDataException($"The questions file has {other.Passages.Count} paragraphs but the documents file has {Passages.Count}; they must be parallel.");
        }
        return this with { Questions = other.Questions };
    }
}

public sealed record SquadPassage(int Index, string Title, string Context);

public sealed record SquadQuestion(string Id, string Text, int PassageIndex);

internal sealed record SquadFile([property: JsonPropertyName("data")] List<SquadArticle>? Data);

internal sealed record SquadArticle(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("paragraphs")] List<SquadParagraph>? Paragraphs);

internal sealed record SquadParagraph(
    [property: JsonPropertyName("context")] string? Context,
    [property: JsonPropertyName("qas")] List<SquadQa>? Qas);

internal sealed record SquadQa(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("question")] string? Question);

[JsonSerializable(typeof(SquadFile))]
internal sealed partial class SquadJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyChat.Core.Evaluation;

/// <summary>
/// A SQuAD v1.1 file flattened: every distinct paragraph is a passage, every question knows its passage index and its
/// gold answer texts. Identical paragraph texts (some public sets repeat paragraphs) are one passage: charging a miss
/// for returning the twin would be wrong. <see cref="MergedParagraphs"/> says how many were merged.
/// </summary>
public sealed record SquadDataset(IReadOnlyList<SquadPassage> Passages, IReadOnlyList<SquadQuestion> Questions)
{
    /// <summary>Paragraphs in the file (before merging identical ones).</summary>
    public int Paragraphs { get; init; }

    /// <summary>Paragraphs that repeated an earlier paragraph's exact text and were merged into it.</summary>
    public int MergedParagraphs => Paragraphs - Passages.Count;

    /// <summary>For each paragraph of the file, in order, the passage it became.</summary>
    public IReadOnlyList<int> PassageOfParagraph { get; init; } = [];

    public static SquadDataset Load(string path)
    {
        using var stream = File.OpenRead(path);
        var file = JsonSerializer.Deserialize(stream, SquadJsonContext.Default.SquadFile)
            ?? throw new InvalidDataException($"{path} is not a SQuAD file.");
        var passages = new List<SquadPassage>();
        var questions = new List<SquadQuestion>();
        var byText = new Dictionary<string, int>(StringComparer.Ordinal);
        var passageOfParagraph = new List<int>();
        foreach (var article in file.Data ?? [])
        {
            foreach (var paragraph in article.Paragraphs ?? [])
            {
                var context = paragraph.Context ?? "";
                if (!byText.TryGetValue(context, out var index))
                {
                    index = passages.Count;
                    byText[context] = index;
                    passages.Add(new SquadPassage(index, (article.Title ?? "").Replace('_', ' '), context));
                }
                var paragraphIndex = passageOfParagraph.Count;
                passageOfParagraph.Add(index);
                foreach (var qa in paragraph.Qas ?? [])
                {
                    var answers = (qa.Answers ?? []).Select(a => a.Text ?? "").Where(a => a.Trim().Length > 0).Distinct(StringComparer.Ordinal).ToList();
                    questions.Add(new SquadQuestion(qa.Id ?? "", qa.Question ?? "", index, answers, paragraphIndex));
                }
            }
        }
        if (passages.Count == 0)
        {
            throw new InvalidDataException($"{path} holds no paragraphs (expected SQuAD v1.1 JSON: data[].paragraphs[].context).");
        }
        return new SquadDataset(passages, questions) { Paragraphs = passageOfParagraph.Count, PassageOfParagraph = passageOfParagraph };
    }

    /// <summary>
    /// Questions from a parallel file (same articles, paragraphs and question order, e.g. XQuAD in another language)
    /// paired with this file's passages.
    /// </summary>
    public SquadDataset WithQuestionsFrom(SquadDataset other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Paragraphs != Paragraphs)
        {
            throw new InvalidDataException($"The questions file has {other.Paragraphs} paragraphs but the documents file has {Paragraphs}; they must be parallel.");
        }
        // Gold answers are in the other file's language, so they do not apply to this file's passages.
        return this with
        {
            Questions = other.Questions.Select(q => q with { PassageIndex = PassageOfParagraph[q.Paragraph], Answers = [] }).ToList(),
        };
    }
}

public sealed record SquadPassage(int Index, string Title, string Context);

/// <summary>A question, its passage, its gold answer texts (empty when unknown) and its paragraph in the file.</summary>
public sealed record SquadQuestion(string Id, string Text, int PassageIndex, IReadOnlyList<string>? Answers = null, int Paragraph = 0)
{
    public IReadOnlyList<string> Answers { get; init; } = Answers ?? [];
}

internal sealed record SquadFile([property: JsonPropertyName("data")] List<SquadArticle>? Data);

internal sealed record SquadArticle(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("paragraphs")] List<SquadParagraph>? Paragraphs);

internal sealed record SquadParagraph(
    [property: JsonPropertyName("context")] string? Context,
    [property: JsonPropertyName("qas")] List<SquadQa>? Qas);

internal sealed record SquadQa(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("question")] string? Question,
    [property: JsonPropertyName("answers")] List<SquadAnswer>? Answers);

internal sealed record SquadAnswer(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("answer_start")] int? AnswerStart);

[JsonSerializable(typeof(SquadFile))]
internal sealed partial class SquadJsonContext : JsonSerializerContext;

using PolicyChat.Core.Evaluation;

namespace PolicyChat.Core.Tests.Evaluation;

public sealed class SquadDatasetTests
{
    private const string Sample =
        """
        {"version":"1.1","data":[{"title":"Super_Bowl_50","paragraphs":[
          {"context":"First paragraph.","qas":[{"id":"q1","question":"Which paragraph?","answers":[{"text":"First","answer_start":0}]}]},
          {"context":"Second paragraph.","qas":[{"id":"q2","question":"Second?","answers":[]},{"id":"q3","question":"Again?","answers":[]}]}]}]}
        """;

    [Fact]
    public void Load_SquadFile_FlattensParagraphsAndQuestions()
    {
        var path = Write(Sample);

        var data = SquadDataset.Load(path);

        Assert.Equal(2, data.Passages.Count);
        Assert.Equal("Super Bowl 50", data.Passages[0].Title);
        Assert.Equal(["q1", "q2", "q3"], data.Questions.Select(q => q.Id));
        Assert.Equal([0, 1, 1], data.Questions.Select(q => q.PassageIndex));
    }

    [Fact]
    public void Load_IdenticalParagraphs_AreOnePassageAndCounted()
    {
        var path = Write(
            """
            {"data":[{"title":"a","paragraphs":[
              {"context":"Same text.","qas":[{"id":"q1","question":"One?","answers":[{"text":"Same","answer_start":0}]}]},
              {"context":"Other text.","qas":[{"id":"q2","question":"Two?","answers":[{"text":"Other","answer_start":0}]}]},
              {"context":"Same text.","qas":[{"id":"q3","question":"Three?","answers":[{"text":"text","answer_start":5},{"text":"text","answer_start":5}]}]}]}]}
            """);

        var data = SquadDataset.Load(path);

        Assert.Equal(2, data.Passages.Count);
        Assert.Equal(3, data.Paragraphs);
        Assert.Equal(1, data.MergedParagraphs);
        Assert.Equal([0, 1, 0], data.Questions.Select(q => q.PassageIndex));
        Assert.Equal(["text"], data.Questions[2].Answers);
        Assert.Equal(["Same"], data.Questions[0].Answers);
    }

    [Fact]
    public void WithQuestionsFrom_ParallelFileWithMergedParagraphs_MapsQuestionsToThisFilesPassages()
    {
        var documents = SquadDataset.Load(Write("""{"data":[{"title":"a","paragraphs":[{"context":"A.","qas":[]},{"context":"A.","qas":[]},{"context":"B.","qas":[]}]}]}"""));
        var questions = SquadDataset.Load(Write("""{"data":[{"title":"a","paragraphs":[{"context":"x","qas":[]},{"context":"y","qas":[]},{"context":"z","qas":[{"id":"q","question":"?","answers":[{"text":"z","answer_start":0}]}]}]}]}"""));

        var paired = documents.WithQuestionsFrom(questions);

        Assert.Equal(1, Assert.Single(paired.Questions).PassageIndex);
        Assert.Empty(paired.Questions[0].Answers);
    }

    [Fact]
    public void WithQuestionsFrom_NonParallelFile_Throws()
    {
        var data = SquadDataset.Load(Write(Sample));
        var other = SquadDataset.Load(Write("""{"data":[{"title":"x","paragraphs":[{"context":"only one","qas":[]}]}]}"""));

        Assert.Throws<InvalidDataException>(() => data.WithQuestionsFrom(other));
    }

    [Fact]
    public void Load_FileWithoutParagraphs_ThrowsClearError()
    {
        var ex = Assert.Throws<InvalidDataException>(() => SquadDataset.Load(Write("""{"data":[]}""")));

        Assert.Contains("no paragraphs", ex.Message, StringComparison.Ordinal);
    }

    private static string Write(string json)
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "squad.json");
        File.WriteAllText(path, json);
        return path;
    }
}

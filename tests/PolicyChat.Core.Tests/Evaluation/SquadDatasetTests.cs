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

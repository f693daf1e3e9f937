using PolicyChat.Core.Answering;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Answering;

public sealed class ModelQueryCheckTests
{
    [Theory]
    [InlineData("ما هي سياسة روسيا في حماية البيانات؟", "ar", "وماذا عن روسيا؟", "ما هي سياسة روسيا في حماية البيانات؟")]
    [InlineData("\"What is Russia's data policy?\"\nExtra line", "en", "and Russia?", "What is Russia's data policy?")]
    [InlineData("I cannot find this in the passages.", "en", "and Russia?", null)]
    [InlineData("لا تتضمن المجموعة إجابة عن هذا السؤال.", "ar", "وماذا عن روسيا؟", null)]
    [InlineData("What about Russia?", "ar", "وماذا عن روسيا؟", null)]
    [InlineData("Russia's data policy", "en", "and Russia?", null)]
    [InlineData("", "en", "and Russia?", null)]
    public void Accept_ModelOutput_KeepsOnlyAQuestionInTheExpectedLanguage(string output, string language, string original, string? expected)
    {
        Assert.Equal(expected, ModelQueryCheck.Accept(output, language, original));
    }

    [Fact]
    public void Accept_TranslationIntoChinese_ChecksTheTargetLanguage()
    {
        Assert.Equal("上海的开源项目计划是什么？", ModelQueryCheck.Accept("上海的开源项目计划是什么？", Languages.Chinese, "ما خطة شنغهاي للمشاريع المفتوحة المصدر؟"));
        Assert.Null(ModelQueryCheck.Accept("ما خطة شنغهاي؟", Languages.Chinese, "ما خطة شنغهاي للمشاريع المفتوحة المصدر؟"));
    }
}

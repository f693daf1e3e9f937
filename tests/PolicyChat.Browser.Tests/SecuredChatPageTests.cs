using PolicyChat.Testing;

namespace PolicyChat.Browser.Tests;

/// <summary>The chat page against a server that requires an API key.</summary>
public sealed class SecuredChatPageTests(SecuredChatPageFixture fixture) : IClassFixture<SecuredChatPageFixture>
{
    private const string Question = "ما خطة شنغهاي للمشاريع مفتوحة المصدر؟";

    [Fact]
    public async Task Ask_WithoutKey_ShowsApiKeyMessage()
    {
        await using var chat = await fixture.OpenAsync("en-US");

        await chat.AskAsync(Question);

        Assert.Equal("error", await chat.WaitForAnswerAsync());
        var alert = chat.Assistant.Locator("[role='alert']");
        Assert.Contains("API key", await alert.InnerTextAsync());
        Assert.True(await chat.Page.Locator("#send").IsVisibleAsync());
    }

    [Fact]
    public async Task Ask_WithKeySavedInSettings_AnswersAndLoadsTheDocument()
    {
        fixture.AnswerWith(ScriptedReply.Text("أعلنت شنغهاي خطة لإنشاء أكثر من 200 مشروع مفتوح المصدر [1]."));
        await using var chat = await fixture.OpenAsync("ar");
        await chat.Page.ClickAsync("details.settings summary");
        await chat.Page.FillAsync("#api-key", SecuredChatPageFixture.UserKey);
        await chat.Page.ClickAsync("#save-key");

        await chat.AskAsync(Question);

        Assert.Equal("done", await chat.WaitForAnswerAsync());
        await chat.Assistant.Locator("button.cite[data-marker='1']").ClickAsync();
        await chat.Panel.Locator("button.show-document").ClickAsync();
        var documentText = chat.Panel.Locator(".document-text");
        await documentText.WaitForAsync();
        Assert.Contains(ChatPageFixture.ShanghaiSentence, await documentText.TextContentAsync());
        Assert.Contains("200 مشروع", await documentText.Locator("mark").InnerTextAsync());
        Assert.Equal(SecuredChatPageFixture.UserKey, await chat.Page.EvaluateAsync<string>("() => localStorage.getItem('policychat.apiKey')"));
    }
}

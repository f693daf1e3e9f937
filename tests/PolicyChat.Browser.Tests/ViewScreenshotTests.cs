using PolicyChat.Testing;
using Xunit.Abstractions;

namespace PolicyChat.Browser.Tests;

/// <summary>
/// Every view in both interface languages at desktop and phone sizes: nothing overflows sideways, headings and labels are
/// in the interface language, and a screenshot of each is kept (TestResults/screenshots) to be looked at.
/// </summary>
public sealed class ViewScreenshotTests(ChatPageFixture fixture, ITestOutputHelper output) : IClassFixture<ChatPageFixture>
{
    [Theory]
    [InlineData("ar", 1280, 900, "الوثائق", "المحادثات السابقة")]
    [InlineData("en-US", 1280, 900, "Documents", "Earlier conversations")]
    [InlineData("ar", 390, 844, "الوثائق", "المحادثات السابقة")]
    [InlineData("en-US", 390, 844, "Documents", "Earlier conversations")]
    public async Task EveryView_BothLanguages_FitsAndIsLabelled(string locale, int width, int height, string libraryHeading, string historyHeading)
    {
        var name = $"{(locale == "ar" ? "ar" : "en")}-{(width > 600 ? "desktop" : "phone")}";
        fixture.AnswerWith(ScriptedReply.Text("أعلنت شنغهاي خطة لإنشاء أكثر من 200 مشروع مفتوح المصدر [1]. "
            + "The EU AI Act entered into force in August 2024 [2]."));
        await using var chat = await fixture.OpenAsync(locale, width, height);

        await chat.AskAsync("ما خطة شنغهاي للمشاريع مفتوحة المصدر؟");
        Assert.Equal("done", await chat.WaitForAnswerAsync());
        await chat.Assistant.Locator(".sources-list summary").ClickAsync();
        await AssertFitsAsync(chat);
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync($"view-chat-{name}"));
        await chat.Assistant.Locator("button.cite").First.ClickAsync();
        await chat.Panel.Locator("blockquote.passage").WaitForAsync();
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync($"view-source-{name}"));
        await chat.Page.Keyboard.PressAsync("Escape");

        await chat.Page.ClickAsync("#nav-documents");
        await chat.Page.Locator("tr.document-row").First.WaitForAsync();
        Assert.Equal(libraryHeading, (await chat.Page.InnerTextAsync("#library-heading")).Trim());
        Assert.Equal("page", await chat.Page.GetAttributeAsync("#nav-documents", "aria-current"));
        await AssertFitsAsync(chat);
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync($"view-documents-{name}"));
        await chat.Page.Locator("tr.document-row button.document-open").Filter(new() { HasText = "EU AI Act" }).ClickAsync();
        await chat.Page.WaitForFunctionAsync("() => (document.querySelector('#document-reader .reader-text')?.textContent || '').includes('August 2024')");
        Assert.Equal("ltr", await chat.Page.Locator("#document-reader .reader-text").EvaluateAsync<string>("e => getComputedStyle(e).direction"));
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync($"view-reader-{name}"));
        await chat.Page.ClickAsync("#document-reader .back-to-list");

        await chat.Page.ClickAsync("#nav-history");
        await chat.Page.Locator("li.history-item").First.WaitForAsync();
        Assert.Equal(historyHeading, (await chat.Page.InnerTextAsync("#history-heading")).Trim());
        await chat.Page.ClickAsync("details.settings summary");
        await AssertFitsAsync(chat);
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync($"view-history-settings-{name}"));
        Assert.Empty(chat.PageErrors);
        Assert.Empty(chat.ConsoleErrors);
    }

    private static async Task AssertFitsAsync(ChatPage chat) =>
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The page is wider than the window.");
}

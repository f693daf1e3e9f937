using Microsoft.Playwright;
using Xunit.Abstractions;

namespace PolicyChat.Browser.Tests;

/// <summary>No model server running (the default): told once by a badge, not under every answer.</summary>
public sealed class ModelStateTests(NoModelChatPageFixture fixture, ITestOutputHelper output) : IClassFixture<NoModelChatPageFixture>
{
    [Theory]
    [InlineData("en-US", "Quoted answers")]
    [InlineData("ar", "إجابات مقتبسة")]
    public async Task NoModel_BadgeOnceAndNoPerAnswerNotice(string locale, string badgeText)
    {
        await using var chat = await fixture.OpenAsync(locale);
        var badge = chat.Page.Locator("#model-state");
        await badge.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });
        Assert.Equal(badgeText, (await badge.InnerTextAsync()).Trim());
        Assert.Contains("Llm:Endpoint", await badge.GetAttributeAsync("title"));

        for (var i = 0; i < 2; i++)
        {
            await chat.AskAsync("ما خطة شنغهاي للمشاريع مفتوحة المصدر؟");
            Assert.Equal("done", await chat.WaitForAnswerAsync());
            Assert.Equal("extractive", await chat.Assistant.GetAttributeAsync("data-mode"));
        }
        await chat.Page.WaitForTimeoutAsync(300); // the notice decision waits for /readyz
        Assert.Equal(0, await chat.Page.Locator("li.message-assistant .notice:visible").CountAsync());
        Assert.Equal(locale == "ar" ? "الإجابة جاهزة." : "Answer ready.", (await chat.Page.InnerTextAsync("#status")).Trim());
        Assert.Equal(1, await chat.Page.Locator("#model-state:visible").CountAsync());

        // Selecting the badge says how to start a model (phones have no hover tooltips).
        await badge.ClickAsync();
        var help = chat.Page.Locator("#model-state-help");
        Assert.True(await help.IsVisibleAsync());
        Assert.Contains("ollama", await help.InnerTextAsync());
        Assert.Equal("true", await badge.GetAttributeAsync("aria-expanded"));
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync($"model-badge-{locale}"));
        await chat.Page.SetViewportSizeAsync(390, 844);
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The page is wider than a phone screen.");
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync($"model-badge-{locale}-phone"));
    }
}

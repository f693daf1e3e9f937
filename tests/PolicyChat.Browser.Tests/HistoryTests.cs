using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PolicyChat.Core.Conversations;
using PolicyChat.Testing;
using Xunit.Abstractions;

namespace PolicyChat.Browser.Tests;

/// <summary>Conversation history kept on the server per browser, and feedback on answers.</summary>
public sealed class HistoryTests(ChatPageFixture fixture, ITestOutputHelper output) : IClassFixture<ChatPageFixture>
{
    private const string Question = "ما خطة شنغهاي للمشاريع مفتوحة المصدر؟";
    private const string Answer = "أعلنت شنغهاي خطة لإنشاء أكثر من 200 مشروع مفتوح المصدر [1].";

    [Theory]
    [InlineData("ar", 1280, 900)]
    [InlineData("en-US", 390, 844)]
    public async Task History_SurvivesReload_ReopensRenamesExportsDeletes(string locale, int width, int height)
    {
        fixture.AnswerWith(ScriptedReply.Text(Answer));
        await using var chat = await fixture.OpenAsync(locale, width, height);
        await chat.AskAsync(Question);
        Assert.Equal("done", await chat.WaitForAnswerAsync());

        await chat.Page.ReloadAsync();
        await chat.Page.WaitForSelectorAsync("html[data-ready='true']");
        await chat.Page.ClickAsync("#nav-history");
        var item = chat.Page.Locator("li.history-item").First;
        await item.WaitForAsync();
        Assert.Equal(Question, (await item.Locator(".history-open").InnerTextAsync()).Trim());
        Assert.Equal("rtl", await item.Locator(".history-open").EvaluateAsync<string>("e => getComputedStyle(e).direction"));
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync($"history-{locale}-{width}"));

        // Another browser (its own identity) sees none of it.
        await using (var stranger = await fixture.OpenAsync(locale))
        {
            await stranger.Page.ClickAsync("#nav-history");
            await stranger.Page.Locator("#history-message .empty").WaitForAsync();
            Assert.Equal(0, await stranger.Page.Locator("li.history-item").CountAsync());
        }

        // Reopen: the question, the answer with its citation marker, and its sources.
        await item.Locator(".history-open").ClickAsync();
        await chat.Page.Locator("#view-chat").WaitForAsync();
        Assert.Equal(Question, (await chat.Page.Locator("li.message-user .message-text").InnerTextAsync()).Trim());
        Assert.Contains("200 مشروع", await chat.Assistant.Locator(".answer").InnerTextAsync());
        await chat.Assistant.Locator("button.cite[data-marker='1']").ClickAsync();
        await chat.Panel.Locator("blockquote.passage mark").WaitForAsync();
        Assert.Contains(ChatPageFixture.ShanghaiTitle, await chat.Panel.Locator("h3").InnerTextAsync());
        await chat.Page.Keyboard.PressAsync("Escape");

        // A follow-up continues the same conversation.
        await chat.AskAsync("وما الجهات المستفيدة؟");
        Assert.Equal("done", await chat.WaitForAnswerAsync());
        await chat.Page.ClickAsync("#nav-history");
        var twoQuestions = locale == "ar" ? "عدد الأسئلة: 2" : "2 questions";
        await chat.Page.WaitForFunctionAsync("text => (document.querySelector('li.history-item .history-meta')?.textContent || '').includes(text)", twoQuestions);

        // Rename, export, delete.
        await item.Locator("button.history-rename").ClickAsync();
        await item.Locator("input.history-title-input").FillAsync("خطة شنغهاي — Shanghai plan");
        await item.Locator("input.history-title-input").PressAsync("Enter");
        await chat.Page.WaitForFunctionAsync("() => (document.querySelector('li.history-item .history-open')?.textContent || '').includes('Shanghai plan')");

        var download = await chat.Page.RunAndWaitForDownloadAsync(() => item.Locator("button.history-export").ClickAsync());
        var markdown = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.StartsWith("# خطة شنغهاي — Shanghai plan", markdown, StringComparison.Ordinal);
        Assert.Contains("[^q1-1]", markdown, StringComparison.Ordinal);
        Assert.Contains($"[^q1-1]: {ChatPageFixture.ShanghaiTitle}", markdown, StringComparison.Ordinal);

        await item.Locator("button.history-delete").ClickAsync();
        await item.Locator("button.confirm-yes").ClickAsync();
        await chat.Page.Locator("#history-message .empty").WaitForAsync();
        Assert.Equal(0, await chat.Page.Locator("li.history-item").CountAsync());
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The page is wider than the window.");
        Assert.Empty(chat.PageErrors);
    }

    [Fact]
    public async Task Feedback_ThumbsDownWithComment_IsStoredWithTheConversation()
    {
        fixture.AnswerWith(ScriptedReply.Text(Answer));
        await using var chat = await fixture.OpenAsync("ar");
        await chat.AskAsync(Question);
        Assert.Equal("done", await chat.WaitForAnswerAsync());

        var feedback = chat.Assistant.Locator(".feedback");
        await feedback.Locator("button.feedback-down").ClickAsync();
        await feedback.Locator("textarea.feedback-comment").FillAsync("العدد غير دقيق");
        await feedback.Locator("button.feedback-send").ClickAsync();
        await chat.Page.WaitForFunctionAsync("() => (document.querySelector('li.message-assistant:last-child .feedback-result')?.textContent || '').includes('شكرًا')");
        Assert.Equal("true", await feedback.Locator("button.feedback-down").GetAttributeAsync("aria-pressed"));
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync("feedback-ar"));

        var history = fixture.Services.GetRequiredService<ConversationHistory>();
        var cases = new List<FeedbackCase>();
        await foreach (var item in history.ReadFeedbackAsync(TurnFeedback.Down))
        {
            cases.Add(item);
        }
        var stored = Assert.Single(cases, c => c.Comment == "العدد غير دقيق");
        Assert.Equal(Question, stored.Question);
        Assert.Contains("200 مشروع", stored.Answer);

        // After a reload, the reopened conversation shows the rating.
        await chat.Page.ReloadAsync();
        await chat.Page.WaitForSelectorAsync("html[data-ready='true']");
        await chat.Page.ClickAsync("#nav-history");
        await chat.Page.Locator("li.history-item .history-open").First.ClickAsync();
        await chat.Page.Locator("#view-chat").WaitForAsync();
        Assert.Equal("true", await chat.Assistant.Locator("button.feedback-down").GetAttributeAsync("aria-pressed"));
    }
}

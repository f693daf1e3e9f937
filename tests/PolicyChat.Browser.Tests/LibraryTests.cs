using System.Text;
using Microsoft.Playwright;
using PolicyChat.Testing;
using Xunit.Abstractions;

namespace PolicyChat.Browser.Tests;

/// <summary>The Documents view on a server with keys: read-only without the administrator key; upload, ask, re-index, delete with it.</summary>
public sealed class LibraryTests(SecuredChatPageFixture fixture, ITestOutputHelper output) : IClassFixture<SecuredChatPageFixture>
{
    private const string NewTitle = "الرباط تعتمد ميثاقًا للبيانات المفتوحة";
    private const string NewSentence = "اعتمدت مدينة الرباط ميثاقًا للبيانات المفتوحة يلزم الإدارات بنشر 150 مجموعة بيانات سنويًا.";

    [Theory]
    [InlineData("ar", 1280, 900)]
    [InlineData("en-US", 390, 844)]
    public async Task Upload_AskDeleteThroughThePage_WithAdministratorKey(string locale, int width, int height)
    {
        var suffix = $"{locale}-{width}";
        var fileName = $"rabat-{suffix}.txt";
        await using var chat = await fixture.OpenAsync(locale, width, height);
        await using var other = await fixture.OpenAsync(locale);
        await SaveKeysAsync(chat.Page, SecuredChatPageFixture.UserKey, SecuredChatPageFixture.AdminKey);
        await SaveKeysAsync(other.Page, SecuredChatPageFixture.UserKey, "");
        await other.Page.ClickAsync("#nav-documents");
        await other.Page.Locator("tr.document-row").First.WaitForAsync();
        // Give the other page time to connect to the hub, so it hears DocumentsChanged.
        await other.Page.WaitForTimeoutAsync(500);
        Assert.True(await other.Page.Locator("#upload").IsHiddenAsync());
        Assert.True(await other.Page.Locator("#library-readonly").IsVisibleAsync());

        await chat.Page.ClickAsync("#nav-documents");
        Assert.True(await chat.Page.Locator("#upload").IsVisibleAsync());
        await chat.Page.Locator("#upload-files").SetInputFilesAsync(new[]
        {
            new FilePayload { Name = fileName, MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes($"{NewTitle}\n\n{NewSentence}\n") },
            new FilePayload { Name = $"empty-{suffix}.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes("   \n") },
        });

        var added = chat.Page.Locator($"li.upload-item[data-file='{fileName}']");
        await chat.Page.WaitForSelectorAsync($"li.upload-item[data-file='{fileName}'][data-status]");
        Assert.Equal("added", await added.GetAttributeAsync("data-status"));
        var skipped = chat.Page.Locator($"li.upload-item[data-file='empty-{suffix}.txt']");
        await chat.Page.WaitForSelectorAsync($"li.upload-item[data-file='empty-{suffix}.txt'][data-status]");
        Assert.NotEqual("added", await skipped.GetAttributeAsync("data-status"));
        var reason = await skipped.Locator(".upload-state").InnerTextAsync();
        Assert.Contains(locale == "ar" ? "الملف فارغ" : "empty", reason);

        var row = chat.Page.Locator("tr.document-row").Filter(new() { HasText = fileName });
        await row.WaitForAsync();
        Assert.Equal("rtl", await row.Locator("button.document-open").EvaluateAsync<string>("e => getComputedStyle(e).direction"));
        // The other page's list updates by itself (the hub's DocumentsChanged).
        await other.Page.Locator("tr.document-row").Filter(new() { HasText = fileName }).WaitForAsync(new() { Timeout = 10_000 });

        // Open the document: its text, right to left.
        await row.Locator("button.document-open").ClickAsync();
        var text = chat.Page.Locator("#document-reader .reader-text");
        await chat.Page.WaitForFunctionAsync("() => (document.querySelector('#document-reader .reader-text')?.textContent || '').includes('150')");
        Assert.Equal("rtl", await text.EvaluateAsync<string>("e => getComputedStyle(e).direction"));
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync($"library-reader-{suffix}"));
        await chat.Page.ClickAsync("#document-reader .back-to-list");

        // Ask about the new document.
        fixture.AnswerWith(ScriptedReply.Text(NewSentence + " [1]"));
        await chat.Page.ClickAsync("#nav-chat");
        await chat.AskAsync("ما ميثاق البيانات المفتوحة في الرباط؟");
        Assert.Equal("done", await chat.WaitForAnswerAsync());
        Assert.Contains(NewTitle, await chat.Assistant.Locator(".sources-list").TextContentAsync());

        // Re-index, then delete with confirmation.
        await chat.Page.ClickAsync("#nav-documents");
        await row.Locator("button.reindex-document").ClickAsync();
        await row.Locator("button.confirm-yes").ClickAsync();
        await chat.Page.WaitForFunctionAsync("() => /re-index|أُعيدت فهرسة/.test(document.getElementById('status').textContent)");
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync($"library-{suffix}"));

        await row.Locator("button.delete-document").ClickAsync();
        Assert.Contains(NewTitle, await row.Locator(".confirm-question").InnerTextAsync());
        await row.Locator("button.confirm-no").ClickAsync();
        Assert.Equal(1, await row.CountAsync());
        await row.Locator("button.delete-document").ClickAsync();
        await row.Locator("button.confirm-yes").ClickAsync();
        await row.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await other.Page.Locator("tr.document-row").Filter(new() { HasText = fileName }).WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 10_000 });
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The page is wider than the window.");
        Assert.Empty(chat.PageErrors);
    }

    [Fact]
    public async Task Upload_WrongAdministratorKey_SaysTheKeyWasNotAccepted()
    {
        await using var chat = await fixture.OpenAsync("en-US");
        await SaveKeysAsync(chat.Page, SecuredChatPageFixture.UserKey, "not-the-admin-key-0123456789");
        await chat.Page.ClickAsync("#nav-documents");
        await chat.Page.Locator("#upload-files").SetInputFilesAsync(new FilePayload
        {
            Name = "wrong-key.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes("Title\n\nSome text about policy.\n"),
        });
        var item = chat.Page.Locator("li.upload-item[data-file='wrong-key.txt']");
        await chat.Page.WaitForSelectorAsync("li.upload-item[data-file='wrong-key.txt'][data-status]");
        Assert.Equal("failed", await item.GetAttributeAsync("data-status"));
        Assert.Contains("administrator key was not accepted", await item.InnerTextAsync());
        Assert.True(await chat.Page.Locator("details.settings").EvaluateAsync<bool>("d => d.open"));
    }

    [Fact]
    public async Task Library_UserKeyOnly_IsReadOnlyWithLanguageFilter()
    {
        await using var chat = await fixture.OpenAsync("ar");
        await SaveKeysAsync(chat.Page, SecuredChatPageFixture.UserKey, "");
        await chat.Page.ClickAsync("#nav-documents");
        await chat.Page.Locator("tr.document-row").First.WaitForAsync();
        Assert.True(await chat.Page.Locator("#upload").IsHiddenAsync());
        Assert.Equal(0, await chat.Page.Locator("button.delete-document").CountAsync());
        var all = await chat.Page.Locator("tr.document-row").CountAsync();

        await chat.Page.SelectOptionAsync("#library-language", "en");
        var english = await chat.Page.Locator("tr.document-row").CountAsync();
        Assert.InRange(english, 1, all - 1);
        Assert.Contains("EU AI Act", await chat.Page.Locator("#library-rows").InnerTextAsync());
        await chat.Page.SelectOptionAsync("#library-language", "");
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync("library-readonly-ar"));
    }

    internal static async Task SaveKeysAsync(IPage page, string user, string admin)
    {
        await page.ClickAsync("details.settings summary");
        await page.FillAsync("#api-key", user);
        await page.FillAsync("#admin-key", admin);
        await page.ClickAsync("#save-key");
        await page.ClickAsync("details.settings summary");
    }
}

using Microsoft.Playwright;
using PolicyChat.Testing;
using Xunit.Abstractions;

namespace PolicyChat.Browser.Tests;

/// <summary>The chat page in Chromium against the real server and a scripted model.</summary>
public sealed class ChatPageTests(ChatPageFixture fixture, ITestOutputHelper output) : IClassFixture<ChatPageFixture>
{
    private const string ShanghaiQuestion = "ما خطة شنغهاي للمشاريع مفتوحة المصدر؟";
    private const string ShanghaiAnswer = "أعلنت شنغهاي خطة لإنشاء أكثر من 200 مشروع مفتوح المصدر [1].";

    [Fact]
    public async Task Ask_ArabicQuestion_StreamsAnswerAndMarkerOpensHighlightedSource()
    {
        fixture.AnswerWith(ScriptedReply.Text(ShanghaiAnswer).WithChunkDelay(TimeSpan.FromMilliseconds(150)));
        await using var chat = await fixture.OpenAsync("ar-EG");
        Assert.Equal("rtl", await chat.Page.GetAttributeAsync("html", "dir"));
        Assert.Equal("ar", await chat.Page.GetAttributeAsync("html", "lang"));

        await chat.AskAsync(ShanghaiQuestion);

        // Part of the answer is on screen while the rest is still streaming.
        await chat.Page.WaitForFunctionAsync(
            "() => { const li = document.querySelector('li.message-assistant:last-child');"
            + " return !!li && li.dataset.state === 'streaming' && li.querySelector('.answer').textContent.includes('شنغهاي'); }");
        Assert.Equal("done", await chat.WaitForAnswerAsync());

        var answer = chat.Assistant.Locator(".answer");
        Assert.Contains("أعلنت شنغهاي خطة لإنشاء أكثر من 200 مشروع مفتوح المصدر", await answer.InnerTextAsync());
        Assert.Equal("rtl", await answer.GetAttributeAsync("dir"));
        Assert.Equal("polite", await answer.GetAttributeAsync("aria-live"));
        var marker = answer.Locator("button.cite[data-marker='1']");
        Assert.Equal(1, await marker.CountAsync());

        await marker.ClickAsync();
        var mark = chat.Panel.Locator("blockquote.passage mark");
        await mark.WaitForAsync();
        var quoted = await mark.InnerTextAsync();
        Assert.Contains("200 مشروع مفتوح المصدر", quoted);
        Assert.Contains(quoted.Trim(), ChatPageFixture.ShanghaiSentence);
        Assert.Contains(ChatPageFixture.ShanghaiSentence[..20], await chat.Panel.Locator("blockquote.passage").InnerTextAsync());
        Assert.Equal(ChatPageFixture.ShanghaiTitle, (await chat.Panel.Locator("h3").InnerTextAsync()).Trim());
        Assert.Contains(ChatPageFixture.ShanghaiOutlet, await chat.Panel.InnerTextAsync());
        Assert.Equal("sources-heading", await chat.Page.EvaluateAsync<string>("() => document.activeElement.id"));
        Assert.Equal("true", await marker.GetAttributeAsync("aria-expanded"));

        var desktop = await chat.ScreenshotAsync("arabic-answer-desktop");
        output.WriteLine("Screenshot: " + desktop);

        // On a phone the page does not scroll sideways.
        await chat.Page.SetViewportSizeAsync(390, 844);
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The page is wider than a phone screen.");
        var phone = await chat.ScreenshotAsync("arabic-answer-phone");
        output.WriteLine("Screenshot: " + phone);

        // Escape closes the panel and gives focus back to the marker.
        await chat.Page.Keyboard.PressAsync("Escape");
        Assert.True(await chat.Panel.IsHiddenAsync());
        Assert.Equal("1", await chat.Page.EvaluateAsync<string>("() => document.activeElement.dataset.marker"));
        Assert.Empty(chat.PageErrors);
        Assert.Empty(chat.ConsoleErrors);
    }

    [Fact]
    public async Task Ask_DocumentAndModelCarryScriptMarkup_NothingRuns()
    {
        fixture.AnswerWith(ScriptedReply.Text(
            "تفرض قواعد حماية البيانات الجديدة في المغرب على الشركات إبلاغ المستخدمين عند تسريب بياناتهم [1]. "
            + "<img src=x onerror=\"window.__pwned='model';alert('model')\"> <script>window.__pwned='model-script'</script> "
            + "[link](javascript:window.__pwned='link')"));
        await using var chat = await fixture.OpenAsync("ar");

        await chat.AskAsync("ما قواعد حماية البيانات في المغرب؟");
        Assert.Equal("done", await chat.WaitForAnswerAsync());

        // The model's markup is shown as the characters it is.
        var answerText = await chat.Assistant.Locator(".answer").InnerTextAsync();
        Assert.Contains("<img src=x onerror=", answerText);
        Assert.Contains("<script>", answerText);
        // The document's hostile title and outlet are text in the sources list and the panel.
        Assert.Contains("<img src=x onerror=", await chat.Assistant.Locator(".sources-list").TextContentAsync());

        await chat.Assistant.Locator("button.cite[data-marker='1']").ClickAsync();
        var passage = chat.Panel.Locator("blockquote.passage").First;
        await passage.WaitForAsync();
        var passageText = await passage.TextContentAsync() ?? "";
        Assert.Contains("<script>", passageText);
        Assert.Contains("onerror=", passageText);
        Assert.Contains("<img src=x onerror=", await chat.Panel.Locator("h3").TextContentAsync());
        Assert.Contains("<script>", await chat.Panel.Locator("dl").TextContentAsync());

        // The whole document, fetched from /api/documents/{id}, is text too.
        await chat.Panel.Locator("button.show-document").ClickAsync();
        var documentText = chat.Panel.Locator(".document-text");
        await documentText.WaitForAsync();
        Assert.Contains(ChatPageFixture.HostileScript, await documentText.TextContentAsync());

        await chat.Page.WaitForTimeoutAsync(500); // time for an image error handler to fire, if one existed
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => typeof window.__pwned === 'undefined'"), "Script from a document or the model ran.");
        Assert.Empty(chat.Dialogs);
        Assert.Equal(0, await chat.Page.Locator("#messages img, #messages script, #messages iframe, #sources-panel img, #sources-panel script").CountAsync());
        Assert.Equal(0, await chat.Page.Locator("#messages a[href^='javascript']").CountAsync());
        // Nothing even tried to run: the page's CSP reported no violation.
        Assert.Equal(0, await chat.Page.EvaluateAsync<int>("() => window.__cspViolations.length"));
        Assert.Empty(chat.PageErrors);
        Assert.Empty(chat.ConsoleErrors);
    }

    [Fact]
    public async Task LanguageToggle_EnglishToArabic_SwitchesToRightToLeftAndPersists()
    {
        await using var chat = await fixture.OpenAsync("en-US");
        Assert.Equal("ltr", await chat.Page.GetAttributeAsync("html", "dir"));
        Assert.Equal("en", await chat.Page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Send", (await chat.Page.InnerTextAsync("#send")).Trim());
        Assert.Equal("العربية", (await chat.Page.InnerTextAsync("#language-toggle")).Trim());
        var send = await chat.Page.Locator("#send").BoundingBoxAsync();
        var box = await chat.Question.BoundingBoxAsync();
        Assert.True(send!.X > box!.X, "In English the send button sits right of the question box.");

        await chat.Page.ClickAsync("#language-toggle");

        Assert.Equal("rtl", await chat.Page.GetAttributeAsync("html", "dir"));
        Assert.Equal("ar", await chat.Page.GetAttributeAsync("html", "lang"));
        Assert.Equal("إرسال", (await chat.Page.InnerTextAsync("#send")).Trim());
        Assert.Equal("محادثة جديدة", (await chat.Page.InnerTextAsync("#new-conversation")).Trim());
        Assert.Equal("English", (await chat.Page.InnerTextAsync("#language-toggle")).Trim());
        Assert.Equal("اسأل عن سياسات التكنولوجيا…", await chat.Question.GetAttributeAsync("placeholder"));
        send = await chat.Page.Locator("#send").BoundingBoxAsync();
        box = await chat.Question.BoundingBoxAsync();
        Assert.True(send!.X < box!.X, "In Arabic the send button sits left of the question box.");
        var fontFamily = await chat.Page.EvaluateAsync<string>("() => getComputedStyle(document.body).fontFamily");
        Assert.Contains("Amiri", fontFamily);

        // The choice survives a reload, and toggling again returns to English.
        await chat.Page.ReloadAsync();
        await chat.Page.WaitForSelectorAsync("html[data-ready='true']");
        Assert.Equal("rtl", await chat.Page.GetAttributeAsync("html", "dir"));
        await chat.Page.ClickAsync("#language-toggle");
        Assert.Equal("ltr", await chat.Page.GetAttributeAsync("html", "dir"));
        Assert.Equal("Send", (await chat.Page.InnerTextAsync("#send")).Trim());
    }

    [Fact]
    public async Task Stop_WhileStreaming_CancelsTheAnswerOnTheServer()
    {
        var longAnswer = string.Join(" ", Enumerable.Repeat(ShanghaiAnswer, 40));
        fixture.AnswerWith(ScriptedReply.Text(longAnswer).WithChunkDelay(TimeSpan.FromMilliseconds(100)));
        var requestsBefore = fixture.Model.ChatRequests.Count;
        await using var chat = await fixture.OpenAsync("ar");

        await chat.AskAsync(ShanghaiQuestion);
        await chat.Page.WaitForFunctionAsync("() => (document.querySelector('li.message-assistant:last-child .answer')?.textContent || '').length > 30");
        Assert.True(await chat.Page.Locator("#stop").IsVisibleAsync());
        Assert.True(await chat.Page.Locator("#send").IsHiddenAsync());

        await chat.Page.ClickAsync("#stop");

        Assert.Equal("stopped", await chat.Assistant.GetAttributeAsync("data-state"));
        Assert.True(await chat.Page.Locator("#send").IsVisibleAsync());
        Assert.True(await chat.Page.Locator("#stop").IsHiddenAsync());
        Assert.Equal("question", await chat.Page.EvaluateAsync<string>("() => document.activeElement.id"));

        // The server cancelled the model call: the scripted model saw its client go away mid-answer.
        var request = fixture.Model.ChatRequests.Skip(requestsBefore).Last();
        await request.Completed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(request.ClientAborted, "The model request was not cancelled after Stop.");

        // Nothing more arrives on the page.
        var lengthAtStop = (await chat.Assistant.Locator(".answer").TextContentAsync() ?? "").Length;
        Assert.True(lengthAtStop < longAnswer.Length);
        await chat.Page.WaitForTimeoutAsync(700);
        Assert.Equal(lengthAtStop, (await chat.Assistant.Locator(".answer").TextContentAsync() ?? "").Length);

        // The connection still works: the next question is answered.
        fixture.AnswerWith(ScriptedReply.Text(ShanghaiAnswer));
        await chat.AskAsync(ShanghaiQuestion);
        Assert.Equal("done", await chat.WaitForAnswerAsync());
        Assert.Equal(2, await chat.Page.Locator("li.message-assistant").CountAsync());
        Assert.Empty(chat.PageErrors);
    }

    [Fact]
    public async Task Ask_NothingRelevant_ShowsNothingFoundNotice()
    {
        await using var chat = await fixture.OpenAsync("ar");

        await chat.AskAsync("كم سعر الطماطم في أسواق الجملة؟");

        Assert.Equal("done", await chat.WaitForAnswerAsync());
        Assert.Equal("abstained", await chat.Assistant.GetAttributeAsync("data-mode"));
        var notice = chat.Assistant.Locator(".notice");
        Assert.True(await notice.IsVisibleAsync());
        Assert.False(string.IsNullOrWhiteSpace(await notice.InnerTextAsync()));
        Assert.Equal("note", await notice.GetAttributeAsync("role"));
    }

    [Fact]
    public async Task NewConversation_AfterAnswer_ClearsMessagesAndFocusesQuestion()
    {
        fixture.AnswerWith(ScriptedReply.Text(ShanghaiAnswer));
        await using var chat = await fixture.OpenAsync("en-US");
        await chat.AskAsync(ShanghaiQuestion);
        Assert.Equal("done", await chat.WaitForAnswerAsync());
        Assert.True(await chat.Assistant.Locator("button.copy").IsEnabledAsync());
        await chat.Assistant.Locator(".sources-list summary").ClickAsync();
        Assert.Equal("ltr", await chat.Page.GetAttributeAsync("html", "dir"));
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync("english-interface-arabic-answer"));

        await chat.Page.ClickAsync("#new-conversation");

        Assert.Equal(0, await chat.Page.Locator("#messages > li").CountAsync());
        Assert.True(await chat.Page.Locator("#intro").IsVisibleAsync());
        Assert.Equal("question", await chat.Page.EvaluateAsync<string>("() => document.activeElement.id"));
    }
}

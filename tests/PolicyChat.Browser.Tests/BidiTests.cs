using PolicyChat.Testing;
using Xunit.Abstractions;

namespace PolicyChat.Browser.Tests;

/// <summary>Direction of mixed Arabic and English text in answers, sources and status lines; order of citation chips.</summary>
public sealed class BidiTests(ChatPageFixture fixture, ITestOutputHelper output) : IClassFixture<ChatPageFixture>
{
    private const string XiQuestion = "What did Xi Jinping say about cyberspace?";

    private static readonly string s_englishAnswerWithArabicQuotes =
        "Xi Jinping said the following about cyberspace:\n\n"
        + $"- {ChatPageFixture.XiQuote1} [1]\n"
        + $"- {ChatPageFixture.XiQuote2} [3, 1, 2]\n";

    [Theory]
    [InlineData("en-US", 1280, 900)]
    [InlineData("ar", 1280, 900)]
    [InlineData("en-US", 390, 844)]
    public async Task EnglishQuestion_ArabicQuotes_EachQuoteIsRightToLeftInALeftToRightAnswer(string locale, int width, int height)
    {
        fixture.AnswerWith(ScriptedReply.Text(s_englishAnswerWithArabicQuotes));
        await using var chat = await fixture.OpenAsync(locale, width, height);

        await chat.AskAsync(XiQuestion);
        Assert.Equal("done", await chat.WaitForAnswerAsync());

        var answer = chat.Assistant.Locator(".answer");
        Assert.Equal("ltr", await Direction(answer.Locator("p").First));
        var items = answer.Locator("li");
        Assert.Equal(2, await items.CountAsync());
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("rtl", await Direction(items.Nth(i)));
            Assert.Equal("isolate", await items.Nth(i).EvaluateAsync<string>("e => getComputedStyle(e).unicodeBidi"));
        }
        // The full stop that ends an Arabic quote is at the quote's visual end (its left), not at the start (right).
        var stopIsLeftOfText = await items.First.EvaluateAsync<bool>(
            """
            li => {
              const node = [...li.childNodes].find(n => n.nodeType === 3 && n.nodeValue.includes('.'));
              const text = node.nodeValue; const dot = text.lastIndexOf('.');
              const range = document.createRange(); range.setStart(node, dot); range.setEnd(node, dot + 1);
              const stop = range.getBoundingClientRect();
              range.setStart(node, 0); range.setEnd(node, 3);
              const first = range.getBoundingClientRect();
              return stop.left < first.left;
            }
            """);
        Assert.True(stopIsLeftOfText, "The full stop of an Arabic quote should sit at its left end.");

        // Chips are numbered in the order the reader meets them (1, 2, 3…), whatever the server's passage numbers.
        var chips = await answer.Locator("button.cite").AllInnerTextsAsync();
        Assert.NotEmpty(chips);
        var firstSeen = chips.Distinct().ToList();
        Assert.Equal(Enumerable.Range(1, firstSeen.Count).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), firstSeen);
        // The sources list uses the same numbers: entry [1] is the passage behind the first chip.
        var firstMarker = await answer.Locator("button.cite").First.GetAttributeAsync("data-marker");
        Assert.Equal(firstMarker, await chat.Assistant.Locator(".sources-list button.source-link").First.GetAttributeAsync("data-number"));
        Assert.Equal("[1]", (await chat.Assistant.Locator(".sources-list .source-number").First.TextContentAsync())?.Trim());

        // The sources list: Arabic titles right-to-left; passages of one document are told apart.
        await chat.Assistant.Locator(".sources-list summary").ClickAsync();
        var titles = chat.Assistant.Locator(".sources-list .source-title");
        Assert.Equal("rtl", await Direction(titles.First));
        var xiEntries = chat.Assistant.Locator(".sources-list li").Filter(new() { HasText = ChatPageFixture.XiTitle });
        var count = await xiEntries.CountAsync();
        Assert.True(count >= 2, $"expected several passages of the Xi document, got {count}");
        var details = await xiEntries.Locator(".source-detail").AllInnerTextsAsync();
        Assert.Equal(details.Count, details.Distinct().Count());
        Assert.All(details, d => Assert.False(string.IsNullOrWhiteSpace(d)));
        Assert.Contains(details, d => d.Contains(locale == "ar" ? "المقتطف 1 من" : "excerpt 1 of", StringComparison.Ordinal));
        Assert.Equal("rtl", await Direction(xiEntries.First.Locator(".source-words")));

        // The status line is isolated and in the interface language.
        Assert.Equal("isolate", await chat.Page.Locator("#status").EvaluateAsync<string>("e => getComputedStyle(e).unicodeBidi"));
        Assert.Equal(locale == "ar" ? "الإجابة جاهزة." : "Answer ready.", (await chat.Page.InnerTextAsync("#status")).Trim());
        Assert.True(await chat.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The page is wider than the window.");
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync($"bidi-english-answer-{locale}-{width}"));
        Assert.Empty(chat.PageErrors);
    }

    [Fact]
    public async Task ArabicQuestion_EnglishQuote_QuoteIsLeftToRightInARightToLeftAnswer()
    {
        fixture.AnswerWith(ScriptedReply.Text(
            "دخل قانون الذكاء الاصطناعي الأوروبي حيز التنفيذ، وجاء في المصدر:\n\n"
            + "- The European Union's Artificial Intelligence Act entered into force in August 2024. [1]\n"
            + "- ويصنّف القانون أنظمة الذكاء الاصطناعي بحسب المخاطر [1].\n"));
        await using var chat = await fixture.OpenAsync("ar");

        await chat.AskAsync("متى دخل قانون الذكاء الاصطناعي الأوروبي (AI Act) حيز التنفيذ؟");
        Assert.Equal("done", await chat.WaitForAnswerAsync());

        var answer = chat.Assistant.Locator(".answer");
        Assert.Equal("rtl", await Direction(answer));
        Assert.Equal("rtl", await Direction(answer.Locator("p").First));
        Assert.Equal("ltr", await Direction(answer.Locator("li").Nth(0)));
        Assert.Equal("rtl", await Direction(answer.Locator("li").Nth(1)));
        output.WriteLine("Screenshot: " + await chat.ScreenshotAsync("bidi-arabic-answer-english-quote"));
    }

    private static Task<string> Direction(Microsoft.Playwright.ILocator locator) =>
        locator.EvaluateAsync<string>("e => getComputedStyle(e).direction");
}

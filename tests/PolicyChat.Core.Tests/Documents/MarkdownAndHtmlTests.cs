using System.Text;
using PolicyChat.Core.Documents;

namespace PolicyChat.Core.Tests.Documents;

public sealed class MarkdownAndHtmlTests
{
    private static readonly DocumentLoader s_loader = new(new DocumentLoaderOptions());

    private static async Task<ExtractedDocument> ReadOkAsync(string fileName, string content)
    {
        var outcome = await s_loader.ReadBytesAsync(fileName, Encoding.UTF8.GetBytes(content));
        Assert.True(outcome.Status == ReadStatus.Ok, $"{outcome.Status}: {outcome.Reason}");
        return outcome.Document!;
    }

    private static List<(string Text, int Level)> Headings(ExtractedDocument document) =>
        document.Headings.Select(h => (document.Text[h.Start..h.End], h.Level)).ToList();

    private const string MarkdownSample = """
        ---
        title: "سياسة الذكاء الاصطناعي"
        date: 2025-01-08
        outlet: Policy Review
        language: ar
        ---
        # Main heading

        Intro with **bold**, _italic_ and a [link text](https://example.com/x) and `inline code`.

        ## Section *two*

        - first item
        - second [item](http://a.b)

        1. numbered

        ```csharp
        var x = 1;
        Console.WriteLine(x);
        ```

        | Name | Value |
        |------|-------|
        | a    | 1     |

        <div>raw <b>html</b><script>alert('x')</script></div>

        Setext heading
        --------------
        Last line.
        """;

    [Fact]
    public async Task ReadBytesAsync_MarkdownWithFrontMatter_ParsesMetadataAndRemovesIt()
    {
        var document = await ReadOkAsync("a.md", MarkdownSample);

        Assert.Equal("سياسة الذكاء الاصطناعي", document.Title);
        Assert.Equal("2025-01-08", document.Date);
        Assert.Equal("Policy Review", document.Outlet);
        Assert.Equal("ar", document.Language);
        Assert.Equal("markdown", document.Format);
        Assert.DoesNotContain("---", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("outlet", document.Text, StringComparison.Ordinal);
        Assert.StartsWith("Main heading\n\n", document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadBytesAsync_Markdown_RecordsHeadingSpansOnOwnLines()
    {
        var document = await ReadOkAsync("a.markdown", MarkdownSample);

        Assert.Equal([("Main heading", 1), ("Section two", 2), ("Setext heading", 2)], Headings(document));
        var lines = document.Text.Split('\n');
        Assert.Contains("Section two", lines);
    }

    [Fact]
    public async Task ReadBytesAsync_Markdown_DropsMarkupKeepsLinkTextListsCodeAndTables()
    {
        var document = await ReadOkAsync("a.md", MarkdownSample);
        var lines = document.Text.Split('\n');

        Assert.Contains("Intro with bold, italic and a link text and inline code.", lines);
        Assert.Contains("first item", lines);
        Assert.Contains("second item", lines);
        Assert.Contains("numbered", lines);
        Assert.Contains("var x = 1;", lines);
        Assert.Contains("Console.WriteLine(x);", lines);
        Assert.Contains("Name\tValue", lines);
        Assert.Contains("a\t1", lines);
        Assert.Contains("raw html", lines);
        Assert.DoesNotContain("https://example.com", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("**", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("```", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("alert", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadBytesAsync_MarkdownWithoutFrontMatter_TitleIsFirstH1()
    {
        var document = await ReadOkAsync("a.md", "Some text\n\n# The Title\n\n## Sub\n");

        Assert.Equal("The Title", document.Title);
        Assert.Null(document.Date);
        Assert.Equal("Some text\n\nThe Title\n\nSub", document.Text);
    }

    [Fact]
    public async Task ReadBytesAsync_MarkdownWithBrokenFrontMatter_RemovesBlockWithoutMetadata()
    {
        var document = await ReadOkAsync("a.md", "---\ntitle: [unclosed\n---\nBody text\n");

        Assert.Null(document.Title);
        Assert.Equal("Body text", document.Text);
    }

    private const string HostileHtml = """
        <!DOCTYPE html>
        <html><head><title>  عنوان   الصفحة &amp; more </title>
        <style>body { color: red } .secret { }</style>
        <script>document.write('SCRIPT-TEXT'); fetch('http://evil');</script>
        </head>
        <body>
        <header><a href="/">Site banner</a></header>
        <nav><ul><li>Home</li><li>Menu item</li></ul></nav>
        <div>sidebar outside main</div>
        <main>
          <article>
            <header><h1>Article   headline</h1></header>
            <p>First&nbsp;paragraph with <a href="x">a link</a> &lt;tag&gt; &#1575;.<br>After break.</p>
            <img src="x" onerror="alert('IMG-ONERROR')">
            <noscript>NOSCRIPT-TEXT</noscript>
            <template><p>TEMPLATE-TEXT</p></template>
            <h2>Second <em>level</em></h2>
            <ul><li>one</li><li>two</li></ul>
            <table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>
            <pre>  keep
            spacing</pre>
            <form><input value="FORM-TEXT"><button>BUTTON-TEXT</button></form>
            <svg><text>SVG-TEXT</text></svg>
            <iframe srcdoc="IFRAME-TEXT"></iframe>
            <aside>ASIDE-TEXT</aside>
            <p hidden>HIDDEN-TEXT</p>
          </article>
        </main>
        <footer>FOOTER-TEXT</footer>
        <script>alert('late')</script>
        </body></html>
        """;

    [Fact]
    public async Task ReadBytesAsync_HostileHtml_KeepsOnlyMainText()
    {
        var document = await ReadOkAsync("page.html", HostileHtml);

        foreach (var banned in new[] { "SCRIPT-TEXT", "evil", "color: red", "IMG-ONERROR", "alert", "NOSCRIPT-TEXT", "TEMPLATE-TEXT", "FORM-TEXT", "BUTTON-TEXT", "SVG-TEXT", "IFRAME-TEXT", "ASIDE-TEXT", "FOOTER-TEXT", "HIDDEN-TEXT", "Site banner", "Menu item", "sidebar outside main" })
        {
            Assert.DoesNotContain(banned, document.Text, StringComparison.Ordinal);
        }
        Assert.Equal("html", document.Format);
    }

    [Fact]
    public async Task ReadBytesAsync_Html_DecodesEntitiesAndBreaksBlocks()
    {
        var document = await ReadOkAsync("page.htm", HostileHtml);
        var lines = document.Text.Split('\n');

        Assert.Contains("First\u00A0paragraph with a link <tag> ا.", lines);
        Assert.Contains("After break.", lines);
        Assert.Contains("one", lines);
        Assert.Contains("two", lines);
        Assert.Contains("k\tv", lines);
        Assert.Contains("a\t1", lines);
        Assert.Contains("  keep", lines);
        Assert.DoesNotContain(lines, l => l.EndsWith(' '));
        Assert.DoesNotContain("\n\n\n", document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadBytesAsync_Html_RecordsHeadingsAndTitle()
    {
        var document = await ReadOkAsync("page.html", HostileHtml);

        Assert.Equal("عنوان الصفحة & more", document.Title);
        Assert.Equal([("Article headline", 1), ("Second level", 2)], Headings(document));
    }

    [Fact]
    public async Task ReadBytesAsync_HtmlWithoutTitleOrMain_UsesBodyAndFirstH1()
    {
        var document = await ReadOkAsync("page.html", "<html><body><nav>menu</nav><h1>الصين والذكاء الاصطناعي</h1><p>نص المقال</p></body></html>");

        Assert.Equal("الصين والذكاء الاصطناعي", document.Title);
        Assert.Equal("الصين والذكاء الاصطناعي\n\nنص المقال", document.Text);
    }

    [Fact]
    public async Task ReadBytesAsync_HtmlTableWithBlocksInCells_KeepsOneLinePerRow()
    {
        const string html = "<table><thead><tr><th>البند</th><th>القيمة</th></tr></thead><tbody><tr><td><p>first</p><p>part</p></td><td></td><td>3</td></tr></tbody></table>";

        var document = await ReadOkAsync("t.html", html);

        Assert.Equal("البند\tالقيمة\nfirst part\t\t3", document.Text);
    }

    [Fact]
    public async Task ReadBytesAsync_HtmlWithOnlyScripts_SkipsAsEmpty()
    {
        var outcome = await s_loader.ReadBytesAsync("page.html", Encoding.UTF8.GetBytes("<html><body><script>var a = 1;</script><nav>menu</nav></body></html>"));

        Assert.Equal(ReadStatus.Skipped, outcome.Status);
        Assert.Equal(ReadProblem.Empty, outcome.Problem);
        Assert.StartsWith("empty file", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFileAsync_Utf16Html_Decodes()
    {
        var encoding = new UnicodeEncoding(bigEndian: true, byteOrderMark: true);
        var bytes = encoding.GetPreamble().Concat(encoding.GetBytes("<p>مرحبا</p>")).ToArray();

        var outcome = await s_loader.ReadBytesAsync("a.html", bytes);

        Assert.Equal("مرحبا", outcome.Document!.Text);
    }
}

public sealed class HostileNestingTests
{
    private static readonly DocumentLoader s_loader = new(new DocumentLoaderOptions());

    private static string NestedDivs(int depth, string text) =>
        string.Concat(Enumerable.Repeat("<div>", depth)) + text + string.Concat(Enumerable.Repeat("</div>", depth));

    [Fact]
    public async Task ReadBytesAsync_DeeplyNestedHtml_KeepsTextPastWalkDepthLimit()
    {
        var outcome = await s_loader.ReadBytesAsync("deep.html", Encoding.UTF8.GetBytes("<p>top</p>" + NestedDivs(1_500, "deep <b>text</b>")));

        Assert.Equal(ReadStatus.Ok, outcome.Status);
        Assert.Equal("top\n\ndeep text", outcome.Document!.Text);
    }

    [Theory]
    [InlineData("deep.html")]
    [InlineData("deep.md")]
    public async Task ReadBytesAsync_HtmlTooDeepToParseInTime_FailsAfterParseTimeout(string fileName)
    {
        var loader = new DocumentLoader(new DocumentLoaderOptions { ParseTimeout = TimeSpan.FromMilliseconds(300) });
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var outcome = await loader.ReadBytesAsync(fileName, Encoding.UTF8.GetBytes("text\n\n" + NestedDivs(200_000, "x")));

        Assert.Equal(ReadStatus.Failed, outcome.Status);
        Assert.Equal(ReadProblem.Corrupt, outcome.Problem);
        Assert.Contains("too complex", outcome.Reason, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task ReadBytesAsync_NestedMarkdownQuotes_KeepsText()
    {
        var markdown = "# Title\n\n" + new string('>', 100) + " quoted text\n";

        var outcome = await s_loader.ReadBytesAsync("deep.md", Encoding.UTF8.GetBytes(markdown));

        Assert.Equal(ReadStatus.Ok, outcome.Status);
        Assert.Equal("Title\n\nquoted text", outcome.Document!.Text);
    }

    [Fact]
    public async Task ReadBytesAsync_MarkdownBeyondNestingLimit_FailsWithClearReason()
    {
        var outcome = await s_loader.ReadBytesAsync("deep.md", Encoding.UTF8.GetBytes(new string('>', 300) + " quoted text\n"));

        Assert.Equal(ReadStatus.Failed, outcome.Status);
        Assert.Equal(ReadProblem.Corrupt, outcome.Problem);
        Assert.Equal("the Markdown is too deeply nested to read", outcome.Reason);
    }

    [Fact]
    public async Task ReadBytesAsync_PathologicalMarkdown_ReturnsOutcomeWithoutThrowing()
    {
        var markdown = new string('>', 50_000) + " quoted\n\n" + string.Concat(Enumerable.Repeat("- ", 5_000)) + "listed";

        var outcome = await s_loader.ReadBytesAsync("deep.md", Encoding.UTF8.GetBytes(markdown));

        Assert.NotNull(outcome.Status == ReadStatus.Ok ? outcome.Document : outcome.Reason);
        Assert.DoesNotContain("   at ", outcome.Reason ?? string.Empty, StringComparison.Ordinal);
    }
}

using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace PolicyChat.Core.Documents;

/// <summary>
/// HTML to plain text with AngleSharp. The document is only parsed: no scripts run, nothing is fetched.
/// Main text comes from main/article (else body); page chrome and active content are removed.
/// </summary>
internal static class HtmlTextReader
{
    /// <summary>Element nesting beyond this is flattened to text (guards the recursive walk against hostile markup).</summary>
    private const int MaxDepth = 256;

    private static readonly HashSet<string> s_removed = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "iframe", "svg", "button",
        "object", "embed", "canvas", "select", "textarea", "dialog", "math", "head", "title", "meta", "link",
    };

    private static readonly HashSet<string> s_blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "main", "header", "blockquote", "ul", "ol", "dl", "dt", "dd", "table",
        "caption", "figure", "figcaption", "address", "hr", "details", "summary",
        "fieldset", "legend", "center", "body", "html", "hgroup",
    };

    /// <summary>
    /// Parses and extracts. <paramref name="cancellationToken"/> also carries the parse deadline: AngleSharp's tree
    /// building is quadratic in nesting depth, so hostile markup must be stoppable.
    /// </summary>
    public static async Task<ExtractedDocument> ReadAsync(string html, CancellationToken cancellationToken)
    {
        using var document = await NewParser().ParseDocumentAsync(html, cancellationToken);
        var title = DocumentTextBuilder.CollapseToLine(document.QuerySelector("title")?.TextContent);

        var builder = new DocumentTextBuilder { CollapseWhitespace = true };
        var root = SelectRoot(document);
        if (root is not null)
        {
            RemoveChrome(root);
            Walk(root, builder, preformatted: false);
        }

        if (title.Length == 0)
        {
            title = DocumentTextBuilder.CollapseToLine(root?.QuerySelector("h1")?.TextContent);
        }
        return new ExtractedDocument(builder.Build(), title.Length == 0 ? null : title, "html", builder.Headings);
    }

    /// <summary>The text of an HTML fragment (raw HTML inside Markdown), with the same removals as a page.</summary>
    public static async Task<string> FragmentTextAsync(string html, CancellationToken cancellationToken)
    {
        using var document = await NewParser().ParseDocumentAsync("<body>" + html + "</body>", cancellationToken);
        if (document.Body is null)
        {
            return string.Empty;
        }
        RemoveChrome(document.Body);
        var builder = new DocumentTextBuilder { CollapseWhitespace = true };
        Walk(document.Body, builder, preformatted: false);
        return builder.Build();
    }

    private static HtmlParser NewParser() => new(new HtmlParserOptions { IsScripting = false, SkipComments = true });

    private static IElement? SelectRoot(IDocument document)
    {
        var main = document.QuerySelector("main");
        if (main is not null)
        {
            return main;
        }
        var articles = document.QuerySelectorAll("article");
        if (articles.Length == 1)
        {
            return articles[0];
        }
        return document.Body ?? document.DocumentElement;
    }

    private static void RemoveChrome(IElement root)
    {
        var doomed = root.Descendants<IElement>()
            .Where(e => s_removed.Contains(e.LocalName) || e.HasAttribute("hidden") || IsPageHeader(e))
            .ToList();
        foreach (var element in doomed)
        {
            element.Remove();
        }
    }

    /// <summary>A header that belongs to the page (site banner), not to an article or section, is chrome.</summary>
    private static bool IsPageHeader(IElement element)
    {
        if (!element.LocalName.Equals("header", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        for (var parent = element.ParentElement; parent is not null; parent = parent.ParentElement)
        {
            if (parent.LocalName is "article" or "main" or "section")
            {
                return false;
            }
        }
        return true;
    }

    private static void Walk(INode node, DocumentTextBuilder builder, bool preformatted, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            // Pathologically deep markup: keep the text, drop the structure, and do not recurse further.
            builder.Append(node.TextContent);
            return;
        }
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    if (preformatted)
                    {
                        builder.AppendVerbatim(text.Data);
                    }
                    else
                    {
                        builder.Append(text.Data);
                    }
                    break;
                case IElement element:
                    WalkElement(element, builder, preformatted, depth + 1);
                    break;
            }
        }
    }

    private static void WalkElement(IElement element, DocumentTextBuilder builder, bool preformatted, int depth)
    {
        var name = element.LocalName.ToLowerInvariant();
        switch (name)
        {
            case "br":
                builder.LineBreak();
                return;
            case "img" or "input" or "audio" or "video" or "source" or "track" or "picture" or "map" or "area":
                return;
            case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                builder.AddHeading(element.TextContent, name[1] - '0');
                return;
            case "pre":
                builder.EndParagraph();
                var collapse = builder.CollapseWhitespace;
                builder.CollapseWhitespace = false;
                Walk(element, builder, preformatted: true, depth);
                builder.CollapseWhitespace = collapse;
                builder.EndParagraph();
                return;
            case "li":
                builder.EndLine();
                Walk(element, builder, preformatted, depth);
                builder.EndLine();
                return;
            case "tr":
                builder.AppendTableRow(element.Children.Select(cell =>
                {
                    // A cell is one field of its row: block content inside it is flattened to one line.
                    var cellText = new DocumentTextBuilder { CollapseWhitespace = true };
                    Walk(cell, cellText, preformatted, depth);
                    return cellText.Build();
                }));
                return;
        }

        if (s_blocks.Contains(name))
        {
            builder.EndParagraph();
            Walk(element, builder, preformatted, depth);
            builder.EndParagraph();
        }
        else
        {
            Walk(element, builder, preformatted, depth);
        }
    }
}

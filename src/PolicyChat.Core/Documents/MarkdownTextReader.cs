using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyChat.Core.Documents;

/// <summary>
/// Markdown to plain text with Markdig: headings on their own lines (recorded as spans), markup dropped, link text
/// kept, list items as lines, code blocks as text, tables as tab-separated rows. YAML front matter is parsed for
/// title/date/outlet/language and removed.
/// </summary>
internal static class MarkdownTextReader
{
    private static readonly MarkdownPipeline s_pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseGridTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UseTaskLists()
        .UseListExtras()
        .Build();

    public static async Task<ExtractedDocument> ReadAsync(string text, CancellationToken cancellationToken)
    {
        var (frontMatter, body) = SplitFrontMatter(text);
        MarkdownDocument markdown;
        try
        {
            markdown = Markdown.Parse(body, s_pipeline);
        }
        catch (ArgumentException)
        {
            // Markdig refuses input nested deeper than its limit (about 128 levels); that bound also keeps the
            // recursive walk below shallow.
            throw new InvalidDataException("the Markdown is too deeply nested to read");
        }

        // Raw HTML blocks are reduced to text first (asynchronously, under the caller's deadline).
        var fragments = new Dictionary<HtmlBlock, string>();
        foreach (var html in markdown.Descendants<HtmlBlock>())
        {
            fragments[html] = await HtmlTextReader.FragmentTextAsync(html.Lines.ToString(), cancellationToken);
        }

        var builder = new DocumentTextBuilder();
        WriteBlocks(markdown, builder, fragments);

        string? title = frontMatter.Title;
        if (string.IsNullOrWhiteSpace(title))
        {
            var h1 = markdown.Descendants<HeadingBlock>().FirstOrDefault(h => h.Level == 1);
            title = h1 is null ? null : InlineText(h1.Inline);
        }
        title = DocumentTextBuilder.CollapseToLine(title);

        return new ExtractedDocument(builder.Build(), title.Length == 0 ? null : title, "markdown", builder.Headings)
        {
            Date = frontMatter.Date,
            Outlet = frontMatter.Outlet,
            Language = frontMatter.Language,
        };
    }

    internal sealed record FrontMatter(string? Title, string? Date, string? Outlet, string? Language)
    {
        public static FrontMatter None { get; } = new(null, null, null, null);
    }

    /// <summary>
    /// Splits "---\n yaml \n---" (or "...") at the very start from the body. Front matter that is not valid YAML is
    /// still removed, but yields no metadata.
    /// </summary>
    internal static (FrontMatter FrontMatter, string Body) SplitFrontMatter(string text)
    {
        if (!text.StartsWith("---\n", StringComparison.Ordinal))
        {
            return (FrontMatter.None, text);
        }
        var position = 4;
        while (position <= text.Length)
        {
            var lineEnd = text.IndexOf('\n', position);
            var line = lineEnd < 0 ? text[position..] : text[position..lineEnd];
            if (line.TrimEnd() is "---" or "...")
            {
                var yaml = text[4..position];
                var body = lineEnd < 0 ? string.Empty : text[(lineEnd + 1)..];
                return (ParseFrontMatter(yaml), body);
            }
            if (lineEnd < 0)
            {
                break;
            }
            position = lineEnd + 1;
        }
        return (FrontMatter.None, text);
    }

    private static FrontMatter ParseFrontMatter(string yaml)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                return FrontMatter.None;
            }
            string? Scalar(string key) => mapping.Children
                .Where(p => p.Key is YamlScalarNode k && string.Equals(k.Value, key, StringComparison.OrdinalIgnoreCase))
                .Select(p => (p.Value as YamlScalarNode)?.Value?.Trim())
                .FirstOrDefault(v => !string.IsNullOrEmpty(v));
            var date = Scalar("date");
            return new FrontMatter(
                Scalar("title"),
                date is null ? null : DateFinder.Normalize(date),
                Scalar("outlet") ?? Scalar("source"),
                Scalar("language") ?? Scalar("lang"));
        }
        catch (YamlException)
        {
            return FrontMatter.None;
        }
    }

    private static void WriteBlocks(ContainerBlock container, DocumentTextBuilder builder, Dictionary<HtmlBlock, string> fragments)
    {
        foreach (var block in container)
        {
            WriteBlock(block, builder, fragments);
        }
    }

    private static void WriteBlock(Block block, DocumentTextBuilder builder, Dictionary<HtmlBlock, string> fragments)
    {
        switch (block)
        {
            case HeadingBlock heading:
                builder.AddHeading(InlineText(heading.Inline), heading.Level);
                break;
            case Table table:
                builder.EndParagraph();
                foreach (var row in table.OfType<TableRow>())
                {
                    builder.AppendTableRow(row.OfType<TableCell>().Select(cell => string.Join(' ', cell.OfType<LeafBlock>().Select(LeafText))));
                }
                builder.EndParagraph();
                break;
            case ListBlock list:
                builder.EndParagraph();
                foreach (var item in list.OfType<ListItemBlock>())
                {
                    foreach (var child in item)
                    {
                        if (child is ParagraphBlock paragraph)
                        {
                            builder.EndLine();
                            WriteInlines(paragraph.Inline, builder);
                            builder.EndLine();
                        }
                        else
                        {
                            WriteBlock(child, builder, fragments);
                        }
                    }
                }
                builder.EndParagraph();
                break;
            case CodeBlock code:
                builder.EndParagraph();
                builder.AppendVerbatim(code.Lines.ToString());
                builder.EndParagraph();
                break;
            case HtmlBlock html:
                builder.EndParagraph();
                builder.AppendVerbatim(fragments.GetValueOrDefault(html));
                builder.EndParagraph();
                break;
            case LinkReferenceDefinitionGroup or LinkReferenceDefinition or ThematicBreakBlock:
                builder.EndParagraph();
                break;
            case ContainerBlock container:
                builder.EndParagraph();
                WriteBlocks(container, builder, fragments);
                builder.EndParagraph();
                break;
            case LeafBlock leaf:
                builder.EndParagraph();
                if (leaf.Inline is not null)
                {
                    WriteInlines(leaf.Inline, builder);
                }
                else
                {
                    builder.AppendVerbatim(leaf.Lines.ToString());
                }
                builder.EndParagraph();
                break;
        }
    }

    private static string LeafText(LeafBlock leaf) => leaf.Inline is not null ? InlineText(leaf.Inline) : leaf.Lines.ToString();

    private static string InlineText(ContainerInline? inline)
    {
        if (inline is null)
        {
            return string.Empty;
        }
        var builder = new DocumentTextBuilder();
        WriteInlines(inline, builder);
        return builder.Build();
    }

    private static void WriteInlines(ContainerInline? container, DocumentTextBuilder builder)
    {
        if (container is null)
        {
            return;
        }
        foreach (var inline in container)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    builder.Append(literal.Content.ToString());
                    break;
                case CodeInline code:
                    builder.Append(code.Content);
                    break;
                case LineBreakInline:
                    builder.LineBreak();
                    break;
                case HtmlEntityInline entity:
                    builder.Append(entity.Transcoded.ToString());
                    break;
                case AutolinkInline autolink:
                    builder.Append(autolink.Url);
                    break;
                case LinkInline { IsImage: true }:
                case HtmlInline:
                    break;
                case ContainerInline nested:
                    WriteInlines(nested, builder);
                    break;
            }
        }
    }
}

using System.Text;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using WordText = DocumentFormat.OpenXml.Wordprocessing.Text;

namespace PolicyChat.Core.Documents;

/// <summary>
/// .docx to plain text with DocumentFormat.OpenXml: one paragraph per paragraph, headings from the Heading1..6 and
/// Title styles (by id, by style name or by outline level), table cells separated by tabs and rows by newlines.
/// </summary>
internal static partial class DocxTextReader
{
    public static ExtractedDocument Read(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var document = WordprocessingDocument.Open(stream, isEditable: false);
        var mainPart = document.MainDocumentPart ?? throw new InvalidDataException("the .docx file has no main document part");
        var body = mainPart.Document?.Body ?? throw new InvalidDataException("the .docx file has no document body");
        var styles = ReadStyleNames(mainPart);

        var builder = new DocumentTextBuilder();
        string? styledTitle = null;
        foreach (var element in body.ChildElements)
        {
            cancellationToken.ThrowIfCancellationRequested();
            WriteBlock(element, builder, styles, ref styledTitle);
        }

        var title = DocumentTextBuilder.CollapseToLine(document.PackageProperties.Title);
        if (title.Length == 0)
        {
            title = DocumentTextBuilder.CollapseToLine(styledTitle);
        }
        return new ExtractedDocument(builder.Build(), title.Length == 0 ? null : title, "docx", builder.Headings);
    }

    private static void WriteBlock(OpenXmlElement element, DocumentTextBuilder builder, Dictionary<string, string> styles, ref string? styledTitle)
    {
        switch (element)
        {
            case Paragraph paragraph:
                var text = ParagraphText(paragraph);
                var level = HeadingLevel(paragraph, styles, out var isTitle);
                if (level > 0)
                {
                    builder.AddHeading(text, level);
                    if (isTitle && styledTitle is null)
                    {
                        styledTitle = text;
                    }
                }
                else if (paragraph.ParagraphProperties?.NumberingProperties is not null)
                {
                    builder.EndLine();
                    builder.Append(text);
                    builder.EndLine();
                }
                else if (!string.IsNullOrWhiteSpace(text))
                {
                    builder.EndParagraph();
                    builder.Append(text);
                    builder.EndParagraph();
                }
                break;
            case Table table:
                builder.EndParagraph();
                foreach (var row in table.Elements<TableRow>())
                {
                    builder.AppendTableRow(row.Elements<TableCell>().Select(cell => string.Join(' ', cell.Descendants<Paragraph>().Select(ParagraphText))));
                }
                builder.EndParagraph();
                break;
            case SdtBlock sdt:
                foreach (var child in sdt.SdtContentBlock?.ChildElements ?? Enumerable.Empty<OpenXmlElement>())
                {
                    WriteBlock(child, builder, styles, ref styledTitle);
                }
                break;
        }
    }

    private static string ParagraphText(Paragraph paragraph)
    {
        var sb = new StringBuilder();
        foreach (var node in paragraph.Descendants())
        {
            switch (node)
            {
                case WordText text:
                    sb.Append(text.Text);
                    break;
                case TabChar:
                    sb.Append('\t');
                    break;
                case Break or CarriageReturn:
                    sb.Append('\n');
                    break;
                case NoBreakHyphen:
                    sb.Append('-');
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>1..6 for headings (Title is level 1), 0 for body paragraphs.</summary>
    private static int HeadingLevel(Paragraph paragraph, Dictionary<string, string> styles, out bool isTitle)
    {
        isTitle = false;
        var properties = paragraph.ParagraphProperties;
        var styleId = properties?.ParagraphStyleId?.Val?.Value;
        if (styleId is not null)
        {
            var name = styles.GetValueOrDefault(styleId, styleId);
            foreach (var candidate in new[] { styleId, name })
            {
                if (candidate.Equals("Title", StringComparison.OrdinalIgnoreCase))
                {
                    isTitle = true;
                    return 1;
                }
                var match = HeadingStyle().Match(candidate);
                if (match.Success)
                {
                    return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        var outline = properties?.OutlineLevel?.Val?.Value;
        return outline is >= 0 and <= 5 ? outline.Value + 1 : 0;
    }

    private static Dictionary<string, string> ReadStyleNames(MainDocumentPart mainPart)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var styles = mainPart.StyleDefinitionsPart?.Styles;
        if (styles is null)
        {
            return names;
        }
        foreach (var style in styles.Elements<Style>())
        {
            var id = style.StyleId?.Value;
            var name = style.StyleName?.Val?.Value;
            if (id is not null && name is not null)
            {
                names[id] = name;
            }
        }
        return names;
    }

    [GeneratedRegex(@"^heading\s*([1-6])$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeadingStyle();
}

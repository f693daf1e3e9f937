using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using DocumentFormat.OpenXml.Packaging;

namespace PolicyChat.Core.Documents;

/// <summary>
/// .docx to plain text: the package is opened with DocumentFormat.OpenXml, the WordprocessingML parts are streamed with
/// an <see cref="XmlReader"/>. One paragraph per paragraph, headings from the Heading1..6 and Title styles (by id, by
/// style name or by outline level), table cells separated by tabs and rows by newlines.
/// Every part is read through <see cref="ExpansionLimitedStream"/>: it may not decompress to more than
/// <see cref="XmlBytesPerChar"/> bytes per allowed character, and the text may not grow past the allowed characters,
/// so a zip bomb is abandoned (<see cref="ExtractionLimitException"/>) after bounded work and memory.
/// </summary>
internal static partial class DocxTextReader
{
    private const string W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    /// <summary>Markup allowed per character of text: Word XML runs about 5-20 bytes of markup per character of text.</summary>
    public const int XmlBytesPerChar = 8;

    private static readonly XmlReaderSettings s_xml = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    private sealed record ParagraphInfo(string Text, string? StyleId, int? OutlineLevel, bool Numbered);

    private sealed class State(DocumentTextBuilder builder, Dictionary<string, string> styles, long maxChars, CancellationToken cancellationToken)
    {
        public DocumentTextBuilder Builder { get; } = builder;
        public Dictionary<string, string> Styles { get; } = styles;
        public string? StyledTitle { get; set; }

        public void Check()
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Builder.Length > maxChars)
            {
                throw new ExtractionLimitException();
            }
        }

        public void CheckText(StringBuilder text)
        {
            if (Builder.Length + text.Length > maxChars)
            {
                throw new ExtractionLimitException();
            }
        }
    }

    public static ExtractedDocument Read(ReadOnlyMemory<byte> bytes, long maxChars, CancellationToken cancellationToken)
    {
        var maxXmlBytes = maxChars * XmlBytesPerChar;
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var document = WordprocessingDocument.Open(stream, isEditable: false);
        var mainPart = document.MainDocumentPart ?? throw new InvalidDataException("the .docx file has no main document part");
        var styles = mainPart.StyleDefinitionsPart is { } stylePart ? ReadStyleNames(Open(stylePart, maxXmlBytes)) : [];

        var state = new State(new DocumentTextBuilder(), styles, maxChars, cancellationToken);
        using (var reader = Open(mainPart, maxXmlBytes))
        {
            if (!MoveToBody(reader))
            {
                throw new InvalidDataException("the .docx file has no document body");
            }
            ReadBlocks(reader, state);
        }

        var title = DocumentTextBuilder.CollapseToLine(document.CoreFilePropertiesPart is { } core ? ReadCoreTitle(Open(core, maxXmlBytes)) : null);
        if (title.Length == 0)
        {
            title = DocumentTextBuilder.CollapseToLine(state.StyledTitle);
        }
        return new ExtractedDocument(state.Builder.Build(), title.Length == 0 ? null : title, "docx", state.Builder.Headings);
    }

    private static XmlReader Open(OpenXmlPart part, long maxXmlBytes) =>
        XmlReader.Create(new ExpansionLimitedStream(part.GetStream(FileMode.Open, FileAccess.Read), maxXmlBytes), s_xml);

    private static bool MoveToBody(XmlReader reader)
    {
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "body" && reader.NamespaceURI == W)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Reads the block children (p, tbl, sdt) of the element the reader is on, leaving the reader after it.</summary>
    private static void ReadBlocks(XmlReader reader, State state)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return;
        }
        var depth = reader.Depth;
        reader.Read();
        while (!reader.EOF && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
            if (reader.NodeType != XmlNodeType.Element || reader.NamespaceURI != W)
            {
                reader.Read();
                continue;
            }
            switch (reader.LocalName)
            {
                case "p":
                    WriteParagraph(ReadParagraph(reader, state), state);
                    break;
                case "tbl":
                    ReadTable(reader, state);
                    break;
                case "sdt":
                    ReadStructuredBlock(reader, state);
                    break;
                default:
                    reader.Skip();
                    break;
            }
            state.Check();
        }
        reader.Read();
    }

    private static void ReadStructuredBlock(XmlReader reader, State state)
    {
        var depth = reader.Depth;
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return;
        }
        reader.Read();
        while (!reader.EOF && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
            if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == W && reader.LocalName == "sdtContent")
            {
                ReadBlocks(reader, state);
            }
            else if (reader.NodeType == XmlNodeType.Element)
            {
                reader.Skip();
            }
            else
            {
                reader.Read();
            }
        }
        reader.Read();
    }

    private static void ReadTable(XmlReader reader, State state)
    {
        state.Builder.EndParagraph();
        var depth = reader.Depth;
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return;
        }
        List<string>? cells = null;
        StringBuilder? cell = null;
        reader.Read();
        while (!reader.EOF && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
            if (reader.NamespaceURI != W)
            {
                reader.Read();
                continue;
            }
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "p")
            {
                var paragraph = ReadParagraph(reader, state);
                if (cell is not null)
                {
                    cell.Append(cell.Length > 0 ? " " : "").Append(paragraph.Text);
                }
                continue;
            }
            if (reader.NodeType == XmlNodeType.Element && !reader.IsEmptyElement && reader.LocalName == "tr" && reader.Depth == depth + 1)
            {
                cells = [];
            }
            else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "tr" && reader.Depth == depth + 1 && cells is not null)
            {
                state.Builder.AppendTableRow(cells);
                state.Check();
                cells = null;
            }
            else if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "tc" && cells is not null)
            {
                if (reader.IsEmptyElement)
                {
                    cells.Add("");
                }
                else
                {
                    cell = new StringBuilder();
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "tc" && cells is not null && cell is not null)
            {
                cells.Add(cell.ToString());
                cell = null;
            }
            reader.Read();
        }
        reader.Read();
        state.Builder.EndParagraph();
    }

    /// <summary>The paragraph's text (w:t, tabs, breaks, no-break hyphens in any descendant) and its style facts.</summary>
    private static ParagraphInfo ReadParagraph(XmlReader reader, State state)
    {
        var depth = reader.Depth;
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return new ParagraphInfo("", null, null, false);
        }
        var text = new StringBuilder();
        string? styleId = null;
        int? outline = null;
        var numbered = false;
        var inProperties = false;
        reader.Read();
        while (!reader.EOF && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
            if (reader.NamespaceURI != W)
            {
                reader.Read();
                continue;
            }
            if (reader.NodeType == XmlNodeType.EndElement)
            {
                inProperties &= !(reader.LocalName == "pPr" && reader.Depth == depth + 1);
                reader.Read();
                continue;
            }
            if (reader.NodeType != XmlNodeType.Element)
            {
                reader.Read();
                continue;
            }
            switch (reader.LocalName)
            {
                case "pPr" when reader.Depth == depth + 1:
                    inProperties = !reader.IsEmptyElement;
                    break;
                case "pStyle" when inProperties:
                    styleId = reader.GetAttribute("val", W);
                    break;
                case "outlineLvl" when inProperties:
                    outline = int.TryParse(reader.GetAttribute("val", W), NumberStyles.Integer, CultureInfo.InvariantCulture, out var level) ? level : null;
                    break;
                case "numPr" when inProperties:
                    numbered = true;
                    break;
                case "t":
                    if (!reader.IsEmptyElement)
                    {
                        var depthOfText = reader.Depth;
                        reader.Read();
                        while (reader.Depth > depthOfText)
                        {
                            if (reader.NodeType is XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace or XmlNodeType.CDATA)
                            {
                                text.Append(reader.Value);
                                state.CheckText(text);
                            }
                            reader.Read();
                        }
                        continue;
                    }
                    break;
                case "tab" when !inProperties:
                    text.Append('\t');
                    break;
                case "br" or "cr":
                    text.Append('\n');
                    break;
                case "noBreakHyphen":
                    text.Append('-');
                    break;
            }
            reader.Read();
        }
        reader.Read();
        return new ParagraphInfo(text.ToString(), styleId, outline, numbered);
    }

    private static void WriteParagraph(ParagraphInfo paragraph, State state)
    {
        var builder = state.Builder;
        var level = HeadingLevel(paragraph, state.Styles, out var isTitle);
        if (level > 0)
        {
            builder.AddHeading(paragraph.Text, level);
            if (isTitle && state.StyledTitle is null)
            {
                state.StyledTitle = paragraph.Text;
            }
        }
        else if (paragraph.Numbered)
        {
            builder.EndLine();
            builder.Append(paragraph.Text);
            builder.EndLine();
        }
        else if (!string.IsNullOrWhiteSpace(paragraph.Text))
        {
            builder.EndParagraph();
            builder.Append(paragraph.Text);
            builder.EndParagraph();
        }
    }

    /// <summary>1..6 for headings (Title is level 1), 0 for body paragraphs.</summary>
    private static int HeadingLevel(ParagraphInfo paragraph, Dictionary<string, string> styles, out bool isTitle)
    {
        isTitle = false;
        if (paragraph.StyleId is { } styleId)
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
                    return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                }
            }
        }
        return paragraph.OutlineLevel is >= 0 and <= 5 ? paragraph.OutlineLevel.Value + 1 : 0;
    }

    /// <summary>dc:title from the core properties part.</summary>
    private static string? ReadCoreTitle(XmlReader reader)
    {
        using (reader)
        {
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "title" && reader.NamespaceURI == "http://purl.org/dc/elements/1.1/")
                {
                    return reader.ReadElementContentAsString();
                }
            }
            return null;
        }
    }

    /// <summary>Style id to style name (w:style/@w:styleId to w:style/w:name/@w:val).</summary>
    private static Dictionary<string, string> ReadStyleNames(XmlReader reader)
    {
        using (reader)
        {
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            string? id = null;
            var styleDepth = -1;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.NamespaceURI != W)
                {
                    continue;
                }
                if (reader.LocalName == "style")
                {
                    id = reader.GetAttribute("styleId", W);
                    styleDepth = reader.Depth;
                }
                else if (reader.LocalName == "name" && id is not null && reader.Depth == styleDepth + 1 && reader.GetAttribute("val", W) is { } name)
                {
                    names[id] = name;
                    id = null;
                }
            }
            return names;
        }
    }

    [GeneratedRegex(@"^heading\s*([1-6])$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeadingStyle();
}

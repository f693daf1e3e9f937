using System.Text.RegularExpressions;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Documents;

/// <summary>
/// Derives title, language, publication date and outlet from the top of a document. Conservative: the date and the
/// outlet are null unless the first lines state them plainly.
/// </summary>
public static partial class MetadataExtractor
{
    /// <summary>How many non-empty lines at the top are searched for a date, an outlet and a headline.</summary>
    public const int HeaderLines = 10;

    /// <summary>Headlines longer than this are treated as body text.</summary>
    public const int MaxTitleLength = 200;

    private const int MaxDateLineLength = 100;
    private const int MaxOutletLength = 60;
    private const int LanguageSampleLength = 20_000;

    // Section labels that open some articles but are not headlines.
    private static readonly HashSet<string> s_labels = new(StringComparer.OrdinalIgnoreCase)
    {
        "حقائق رئيسية", "ملخص سريع", "ملخص", "أخبار تهمك", "اقرأ أيضا", "اقرأ أيضًا", "إعلان",
        "key facts", "key points", "summary", "highlights", "advertisement", "read more", "related",
    };

    /// <summary>Derives title, language, publication date (ISO yyyy-MM-dd) and outlet from the text where it states them.</summary>
    public static DocumentMetadata Extract(string text, string? formatTitle, string fileName) =>
        Extract(text, formatTitle, fileName, static sample => LanguageDetector.Detect(sample));

    /// <summary>As <see cref="Extract(string, string?, string)"/>, with the language detector supplied by the caller.</summary>
    public static DocumentMetadata Extract(string text, string? formatTitle, string fileName, Func<string, string> detectLanguage)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(detectLanguage);

        var lines = TopLines(text);
        var outlet = FindOutlet(lines, out var outletLines);
        var date = FindDate(lines);

        var title = DocumentTextBuilder.CollapseToLine(formatTitle);
        if (title.Length == 0)
        {
            title = FindHeadline(lines, outletLines) ?? FileTitle(fileName);
        }

        var sample = text.Length > LanguageSampleLength ? text[..LanguageSampleLength] : text;
        return new DocumentMetadata(title, detectLanguage(sample), date, outlet);
    }

    /// <summary>Metadata for an extracted document: what the format states (front matter, title) wins over what is derived.</summary>
    public static DocumentMetadata Extract(ExtractedDocument document, string fileName, Func<string, string>? detectLanguage = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        var derived = detectLanguage is null
            ? Extract(document.Text, document.Title, fileName)
            : Extract(document.Text, document.Title, fileName, detectLanguage);
        return derived with
        {
            Date = document.Date ?? derived.Date,
            Outlet = document.Outlet ?? derived.Outlet,
            Language = string.IsNullOrWhiteSpace(document.Language) ? derived.Language : document.Language.Trim().ToLowerInvariant(),
        };
    }

    private static List<string> TopLines(string text)
    {
        var lines = new List<string>(HeaderLines);
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty)
            {
                continue;
            }
            lines.Add(line.ToString());
            if (lines.Count == HeaderLines)
            {
                break;
            }
        }
        return lines;
    }

    private static string? FindDate(List<string> lines)
    {
        foreach (var line in lines)
        {
            // Long lines are body text: a date inside a sentence is an event, not the publication date.
            if (line.Length <= MaxDateLineLength && DateFinder.Find(line) is { } found)
            {
                return found.Iso;
            }
        }
        return null;
    }

    /// <summary>Finds an outlet line; <paramref name="outletLines"/> gets the indexes of the lines that named it.</summary>
    private static string? FindOutlet(List<string> lines, out HashSet<int> outletLines)
    {
        outletLines = [];
        for (var i = 0; i < lines.Count; i++)
        {
            var labelled = OutletLabel().Match(lines[i]);
            if (labelled.Success && PlausibleOutlet(labelled.Groups["name"].Value) is { } named)
            {
                outletLines.Add(i);
                return named;
            }
        }
        for (var i = 0; i < lines.Count; i++)
        {
            // "Outlet·2025-11-04 22:06" or "Outlet | 8 January 2025": a name beside a date.
            var parts = lines[i].Split(['·', '•', '|'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && lines[i].Length <= MaxDateLineLength)
            {
                var (name, other) = IsDateLine(parts[1]) ? (parts[0], parts[1]) : (parts[1], parts[0]);
                if (IsDateLine(other) && !IsDateLine(name) && PlausibleOutlet(name) is { } outlet)
                {
                    outletLines.Add(i);
                    return outlet;
                }
            }
        }
        for (var i = 0; i + 1 < lines.Count; i++)
        {
            // A short line printed twice in a row at the top (site name above the article).
            if (string.Equals(lines[i], lines[i + 1], StringComparison.Ordinal) && !IsDateLine(lines[i]) && PlausibleOutlet(lines[i]) is { } repeated)
            {
                outletLines.Add(i);
                outletLines.Add(i + 1);
                return repeated;
            }
        }
        return null;
    }

    private static string? PlausibleOutlet(string candidate)
    {
        var name = candidate.Trim().TrimEnd('.', ':', '،', ',').Trim();
        if (name.Length < 2 || name.Length > MaxOutletLength || !name.Any(char.IsLetter))
        {
            return null;
        }
        var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return words <= 6 ? name : null;
    }

    private static string? FindHeadline(List<string> lines, HashSet<int> outletLines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Length > MaxTitleLength)
            {
                // The body has started; a short line after it is a caption or a section heading, not the headline.
                return null;
            }
            if (outletLines.Contains(i) || !IsPlausibleHeadline(line))
            {
                continue;
            }
            return DocumentTextBuilder.CollapseToLine(line);
        }
        return null;
    }

    private static bool IsPlausibleHeadline(string line)
    {
        if (line.Length < 3 || line.Length > MaxTitleLength || !line.Any(char.IsLetter))
        {
            return false;
        }
        if (s_labels.Contains(line.TrimEnd(':', '.', ' ')) || IsDateLine(line) || Byline().IsMatch(line) || OutletLabel().IsMatch(line) || ListItem().IsMatch(line))
        {
            return false;
        }
        // A line ending a sentence or introducing something is body text, not a headline.
        if (line[^1] is '.' or '。' or ':' or '：' && !line.EndsWith("..", StringComparison.Ordinal))
        {
            return false;
        }
        // A single word is a label ("Workflow", "Menu") unless the script writes no spaces (Chinese).
        return line.Contains(' ', StringComparison.Ordinal) || line.Any(IsCjk);
    }

    /// <summary>A line that is mostly a date (and perhaps a time or weekday): little text left once the date is removed.</summary>
    private static bool IsDateLine(string line)
    {
        if (DateFinder.Find(line) is not { } found)
        {
            return false;
        }
        var normalized = DateFinder.NormalizeForMatching(line);
        var rest = normalized.Remove(found.Index, found.Length);
        rest = TimeOfDay().Replace(rest, string.Empty);
        return rest.Count(char.IsLetter) <= 12;
    }

    private static bool IsCjk(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\u3040' and <= '\u30FF';

    private static string FileTitle(string fileName)
    {
        var name = Path.GetFileNameWithoutExtension(fileName);
        return string.IsNullOrWhiteSpace(name) ? fileName : name;
    }

    [GeneratedRegex(@"^\s*(المصدر|مصدر الخبر|source|outlet|publisher|الناشر)\s*[:：]\s*(?<name>.+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OutletLabel();

    [GeneratedRegex(@"^\s*((المؤلف|الكاتب|بقلم|by|author|written by|reporter)\b\s*[:：]?|(كتب|كتبت|إعداد|تحرير)\s*[:：])\s*\S", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Byline();

    [GeneratedRegex(@"^\s*([-*•–—]|[0-9]+[.)])\s+")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?\s*(am|pm|ص|م)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TimeOfDay();
}

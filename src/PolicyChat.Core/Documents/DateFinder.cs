using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PolicyChat.Core.Documents;

/// <summary>
/// Finds calendar dates written in a line: ISO (2025-11-04, 2025/11/04), "8 يناير 2025" with Egyptian/Gulf or
/// Levantine Arabic month names, Arabic-Indic digits, English "January 8, 2025" and "8 Jan 2025".
/// Ambiguous numeric forms (04/11/2025) are not guessed.
/// </summary>
internal static partial class DateFinder
{
    /// <summary>A date found in a line: the ISO form and the span of the match in the (digit-normalized) line.</summary>
    internal readonly record struct Found(string Iso, int Index, int Length);

    private static readonly Dictionary<string, int> s_months = BuildMonths();

    public static Found? Find(string line)
    {
        var normalized = NormalizeForMatching(line);

        var iso = IsoDate().Match(normalized);
        if (iso.Success && TryIso(iso.Groups["y"].Value, iso.Groups["m"].Value, iso.Groups["d"].Value, out var isoText))
        {
            return new Found(isoText, iso.Index, iso.Length);
        }
        foreach (var match in DayMonthYear().Matches(normalized).Cast<Match>())
        {
            if (s_months.TryGetValue(MonthKey(match.Groups["month"].Value), out var month) && TryIso(match.Groups["y"].Value, month, match.Groups["d"].Value, out var text))
            {
                return new Found(text, match.Index, match.Length);
            }
        }
        foreach (var match in MonthDayYear().Matches(normalized).Cast<Match>())
        {
            if (s_months.TryGetValue(MonthKey(match.Groups["month"].Value), out var month) && TryIso(match.Groups["y"].Value, month, match.Groups["d"].Value, out var text))
            {
                return new Found(text, match.Index, match.Length);
            }
        }
        return null;
    }

    /// <summary>Normalizes a stated date value (front matter, sidecar) to yyyy-MM-dd; null when it is not a date.</summary>
    public static string? Normalize(string value) => Find(value)?.Iso;

    /// <summary>
    /// Arabic-Indic and Eastern Arabic-Indic digits to ASCII, alef variants to bare alef, tatweel and harakat removed.
    /// Every replacement is one char for one char, so indexes in the result match the original line.
    /// </summary>
    internal static string NormalizeForMatching(string line)
    {
        var sb = new StringBuilder(line.Length);
        foreach (var c in line)
        {
            sb.Append(c switch
            {
                >= '\u0660' and <= '\u0669' => (char)('0' + (c - '\u0660')),
                >= '\u06F0' and <= '\u06F9' => (char)('0' + (c - '\u06F0')),
                '\u0623' or '\u0625' or '\u0622' or '\u0671' => '\u0627',
                _ => c,
            });
        }
        return sb.ToString();
    }

    private static bool TryIso(string year, string month, string day, out string iso) =>
        TryIso(year, int.Parse(month, CultureInfo.InvariantCulture), day, out iso);

    private static bool TryIso(string year, int month, string day, out string iso)
    {
        iso = string.Empty;
        var y = int.Parse(year, CultureInfo.InvariantCulture);
        var d = int.Parse(day, CultureInfo.InvariantCulture);
        if (y is < 1900 or > 2100 || month is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, month))
        {
            return false;
        }
        iso = new DateOnly(y, month, d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return true;
    }

    private static string MonthKey(string month) => WhitespaceRun().Replace(month.Trim().TrimEnd('.'), " ").ToLowerInvariant();

    private static Dictionary<string, int> BuildMonths()
    {
        var months = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(int month, params string[] names)
        {
            foreach (var name in names)
            {
                months[MonthKey(NormalizeForMatching(name))] = month;
            }
        }
        Add(1, "يناير", "كانون الثاني", "january", "jan");
        Add(2, "فبراير", "شباط", "february", "feb");
        Add(3, "مارس", "آذار", "march", "mar");
        Add(4, "أبريل", "إبريل", "نيسان", "april", "apr");
        Add(5, "مايو", "أيار", "may");
        Add(6, "يونيو", "يونيه", "حزيران", "june", "jun");
        Add(7, "يوليو", "يوليه", "تموز", "july", "jul");
        Add(8, "أغسطس", "آب", "august", "aug");
        Add(9, "سبتمبر", "أيلول", "september", "sep", "sept");
        Add(10, "أكتوبر", "تشرين الأول", "october", "oct");
        Add(11, "نوفمبر", "تشرين الثاني", "november", "nov");
        Add(12, "ديسمبر", "كانون الأول", "december", "dec");
        return months;
    }

    // Month names after NormalizeForMatching (alef variants folded); longer alternatives first.
    private const string MonthPattern =
        @"كانون\s+الثاني|كانون\s+الاول|تشرين\s+الاول|تشرين\s+الثاني|يناير|فبراير|مارس|ابريل|مايو|يونيو|يونيه|يوليو|يوليه|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر|شباط|اذار|نيسان|ايار|حزيران|تموز|ايلول|اب" +
        @"|january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec";

    [GeneratedRegex(@"(?<![0-9])(?<y>(19|20)[0-9]{2})[-/.](?<m>[0-9]{1,2})[-/.](?<d>[0-9]{1,2})(?![0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"(?<![0-9\p{L}])(?<d>[0-9]{1,2})(st|nd|rd|th)?\s+(من\s+)?(?<month>" + MonthPattern + @")\.?\s*[,،]?\s*(?<y>(19|20)[0-9]{2})(?![0-9])", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DayMonthYear();

    [GeneratedRegex(@"(?<![\p{L}])(?<month>" + MonthPattern + @")\.?\s+(?<d>[0-9]{1,2})(st|nd|rd|th)?\s*[,،]?\s*(?<y>(19|20)[0-9]{2})(?![0-9])", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex MonthDayYear();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();
}

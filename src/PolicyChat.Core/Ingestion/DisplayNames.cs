using System.Globalization;
using System.Text;

namespace PolicyChat.Core.Ingestion;

/// <summary>
/// File names as shown in terminals, logs and JSON: control characters (newline, tab, ESC, C1), Unicode line
/// separators and bidirectional controls are written as escapes, so a name cannot fake extra output lines or reorder
/// what is printed around it. In a name that needs escapes a backslash is doubled, so the escaped form is unambiguous.
/// </summary>
public static class DisplayNames
{
    public static string Escape(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!name.Any(c => c != '\\' && NeedsEscape(c)))
        {
            return name;
        }
        var sb = new StringBuilder(name.Length + 16);
        foreach (var c in name)
        {
            switch (c)
            {
                case '\\':
                    sb.Append(@"\\");
                    break;
                case '\n':
                    sb.Append(@"\n");
                    break;
                case '\r':
                    sb.Append(@"\r");
                    break;
                case '\t':
                    sb.Append(@"\t");
                    break;
                case '\0':
                    sb.Append(@"\0");
                    break;
                default:
                    if (NeedsEscape(c))
                    {
                        sb.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>True when a name cannot name a file (NUL): such names are refused, never truncated.</summary>
    public static bool IsRefused(string name) => name.Contains('\0', StringComparison.Ordinal);

    private static bool NeedsEscape(char c) =>
        c == '\\' || char.IsControl(c) || IsBidiControl(c) || c is '\u2028' or '\u2029';

    /// <summary>ALM, LRM, RLM, the embeddings/overrides U+202A–U+202E and the isolates U+2066–U+2069.</summary>
    internal static bool IsBidiControl(char c) =>
        c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}

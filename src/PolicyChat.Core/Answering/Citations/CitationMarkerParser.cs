using System.Buffers;
using System.Globalization;
using System.Text;

namespace PolicyChat.Core.Answering.Citations;

/// <summary>A citation marker in an answer: <c>answer[Start..End]</c> is the whole bracket span; Numbers are 1-based, distinct, in order.</summary>
public sealed record CitationMarker(int Start, int End, IReadOnlyList<int> Numbers);

/// <summary>
/// Finds and rewrites numbered citation markers in model answers.
/// </summary>
/// <remarks>
/// Accepted: <c>[1]</c>, <c>[1, 2]</c>, <c>[1,2,3]</c>, ranges <c>[2-4]</c> (also with an en dash, em dash or full-width
/// hyphen; expanded, at most <see cref="MaxRangeExpansion"/> numbers), any decimal digits (ASCII, Arabic-Indic
/// <c>[١]</c>, Extended Arabic-Indic, full-width <c>[１]</c>), separators <c>, ، ， 、</c>, and the brackets
/// <c>[ ]</c>, <c>［ ］</c>, <c>【 】</c>. A bracket is not a marker when it holds anything else (<c>[see above]</c>) or a
/// number outside 1..maxNumber (<c>[2020]</c>).
/// </remarks>
public static class CitationMarkerParser
{
    /// <summary>Numbers above this are taken for years or other bracketed numbers, not citations.</summary>
    public const int DefaultMaxNumber = 100;

    /// <summary>A range such as [1-50] expands to at most this many numbers.</summary>
    public const int MaxRangeExpansion = 20;

    private const int MaxMarkerChars = 80;
    private const int MaxDigits = 6;

    private static readonly SearchValues<char> s_openers = SearchValues.Create("[\uFF3B\u3010");

    /// <summary>All markers of <paramref name="answer"/>, in order; numbers outside 1..<paramref name="maxNumber"/> disqualify a bracket.</summary>
    public static IReadOnlyList<CitationMarker> Parse(string answer, int maxNumber = DefaultMaxNumber)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var markers = new List<CitationMarker>();
        var span = answer.AsSpan();
        var pos = 0;
        while (pos < span.Length)
        {
            var found = span[pos..].IndexOfAny(s_openers);
            if (found < 0)
            {
                break;
            }
            var open = pos + found;
            if (TryParseAt(span, open, maxNumber, out var marker))
            {
                markers.Add(marker);
                pos = marker.End;
            }
            else
            {
                pos = open + 1;
            }
        }
        return markers;
    }

    /// <summary>
    /// Rewrites every marker to canonical ASCII <c>[n]</c> / <c>[n][m]</c> after mapping its numbers through
    /// <paramref name="map"/>. Adjacent markers (<c>[1][2]</c>) are rewritten as one group, without duplicates. A null
    /// (or a number below 1) from the map drops that number; a group with no number left is removed together with one
    /// preceding space or tab.
    /// </summary>
    public static string Rewrite(string answer, Func<int, int?> map) => Rewrite(answer, map, DefaultMaxNumber);

    /// <inheritdoc cref="Rewrite(string, Func{int, int?})"/>
    /// <param name="maxNumber">Brackets with a number above this are left alone (see <see cref="Parse"/>).</param>
    public static string Rewrite(string answer, Func<int, int?> map, int maxNumber)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(map);
        var markers = Parse(answer, maxNumber);
        if (markers.Count == 0)
        {
            return answer;
        }
        var builder = new StringBuilder(answer.Length);
        var mapped = new List<int>();
        var pos = 0;
        var i = 0;
        while (i < markers.Count)
        {
            var j = i + 1;
            while (j < markers.Count && markers[j].Start == markers[j - 1].End)
            {
                j++;
            }
            mapped.Clear();
            for (var k = i; k < j; k++)
            {
                foreach (var number in markers[k].Numbers)
                {
                    if (map(number) is { } target && target >= 1 && !mapped.Contains(target))
                    {
                        mapped.Add(target);
                    }
                }
            }
            var groupStart = markers[i].Start;
            if (mapped.Count == 0)
            {
                var cut = groupStart;
                if (cut > pos && answer[cut - 1] is ' ' or '\t' or '\u00A0' or '\u3000')
                {
                    cut--;
                }
                builder.Append(answer, pos, cut - pos);
            }
            else
            {
                builder.Append(answer, pos, groupStart - pos);
                foreach (var number in mapped)
                {
                    builder.Append('[').Append(number.ToString(CultureInfo.InvariantCulture)).Append(']');
                }
            }
            pos = markers[j - 1].End;
            i = j;
        }
        builder.Append(answer, pos, answer.Length - pos);
        return builder.ToString();
    }

    /// <summary>Parses the marker whose opening bracket is at <paramref name="open"/>.</summary>
    internal static bool TryParseAt(ReadOnlySpan<char> text, int open, int maxNumber, out CitationMarker marker)
    {
        marker = null!;
        var close = text[open] switch
        {
            '[' => ']',
            '\uFF3B' => '\uFF3D',
            '\u3010' => '\u3011',
            _ => '\0',
        };
        if (close == '\0')
        {
            return false;
        }
        var limit = Math.Min(text.Length, open + MaxMarkerChars);
        var numbers = new List<int>(2);
        var pos = open + 1;
        var rangeFrom = 0;
        var last = 0;
        while (true)
        {
            pos = SkipSpaces(text, pos, limit);
            // A number.
            var value = 0;
            var digits = 0;
            while (pos < limit && char.IsDigit(text[pos]) && digits < MaxDigits + 1)
            {
                value = (value * 10) + (int)char.GetNumericValue(text[pos]);
                digits++;
                pos++;
            }
            if (digits == 0 || digits > MaxDigits || value < 1 || value > maxNumber)
            {
                return false;
            }
            if (rangeFrom > 0)
            {
                if (value < rangeFrom)
                {
                    return false;
                }
                var to = Math.Min(value, rangeFrom + MaxRangeExpansion - 1);
                for (var n = rangeFrom + 1; n <= to; n++)
                {
                    AddDistinct(numbers, n);
                }
                rangeFrom = 0;
                last = 0;
            }
            else
            {
                AddDistinct(numbers, value);
                last = value;
            }
            // A separator, a range dash or the closing bracket.
            pos = SkipSpaces(text, pos, limit);
            if (pos >= limit)
            {
                return false;
            }
            var c = text[pos];
            if (c == close)
            {
                marker = new CitationMarker(open, pos + 1, numbers);
                return true;
            }
            if (c is '-' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\uFF0D' && last > 0)
            {
                rangeFrom = last;
            }
            else if (c is not (',' or '\u060C' or '\uFF0C' or '\u3001'))
            {
                return false;
            }
            pos++;
        }
    }

    private static void AddDistinct(List<int> numbers, int value)
    {
        if (!numbers.Contains(value))
        {
            numbers.Add(value);
        }
    }

    private static int SkipSpaces(ReadOnlySpan<char> text, int pos, int limit)
    {
        while (pos < limit && text[pos] is ' ' or '\t' or '\u00A0' or '\u3000' or '\u200F' or '\u200E')
        {
            pos++;
        }
        return pos;
    }
}

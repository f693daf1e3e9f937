using System.Text;

namespace PolicyChat.Core.Documents;

/// <summary>
/// Repairs what pdftotext and Tesseract leave in Arabic text, as a chain of pure steps (golden-tested):
/// direction controls (U+202A–U+202E embeddings/overrides, U+2066–U+2069 isolates, LRM, RLM, ALM) are removed, and a
/// word that the PDF's glyph spacing split after a letter that does not join to the left is rejoined.
/// </summary>
public static class PdfTextCleanup
{
    /// <summary>Letters that never join the following letter (Unicode joining type R): a visible gap follows them inside words.</summary>
    private const string RightJoiningLetters = "اأإآٱدذرزوؤة";

    /// <summary>Two-letter words that stand alone: a two-letter fragment in this list is never glued to the word before it.</summary>
    private static readonly HashSet<string> s_shortWords = new(StringComparer.Ordinal)
    {
        "في", "من", "عن", "أن", "إن", "ان", "لا", "ما", "لم", "لن", "قد", "هو", "هي", "هم", "كل", "ثم", "أو", "او", "أي", "اي",
        "بل", "لو", "يا", "ذا", "مع", "له", "به", "كم", "إذ", "اذ", "هل", "أم", "لي", "بي", "كي", "مذ", "ال", "نحو", "ذو", "ذي",
    };

    /// <summary>All steps, in order.</summary>
    public static string Clean(string text) => RejoinSplitWords(StripDirectionControls(text));

    public static string StripDirectionControls(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(IsDirectionControl))
        {
            return text;
        }
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!IsDirectionControl(c))
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Removes a space inside an Arabic word: the space follows a right-joining letter and either the fragment before
    /// it is the lone conjunction "و" (written attached in Arabic), or the fragment after it is too short to be a word
    /// of its own (two letters not in the list of short words, or one of ا ى ة).
    /// </summary>
    public static string RejoinSplitWords(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == ' ' && i > 0 && i + 1 < text.Length && IsSplit(text, i))
            {
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool IsSplit(string text, int space)
    {
        var before = LastLetter(text, space - 1);
        if (before < 0 || !RightJoiningLetters.Contains(text[before], StringComparison.Ordinal) || !IsArabicLetter(text[space + 1]))
        {
            return false;
        }
        var left = Fragment(text, space - 1, -1);
        var right = Fragment(text, space + 1, +1);
        if (left == "و")
        {
            return true;
        }
        var letters = right.Count(IsArabicLetter);
        return letters switch
        {
            1 => "اىة".Contains(right[0], StringComparison.Ordinal),
            // "يًا" (tanween) is a word's tail, "يا" the vocative: marks are dropped only when there is no tanween.
            2 => !s_shortWords.Contains(right.Any(c => c is >= '\u064B' and <= '\u064D') ? right : StripMarks(right)),
            _ => false,
        };
    }

    private static int LastLetter(string text, int from)
    {
        var i = from;
        while (i >= 0 && IsArabicMark(text[i]))
        {
            i--;
        }
        return i >= 0 && IsArabicLetter(text[i]) ? i : -1;
    }

    /// <summary>The run of Arabic letters and marks from <paramref name="from"/> in direction <paramref name="step"/>.</summary>
    private static string Fragment(string text, int from, int step)
    {
        var i = from;
        while (i >= 0 && i < text.Length && (IsArabicLetter(text[i]) || IsArabicMark(text[i])))
        {
            i += step;
        }
        return step > 0 ? text[from..i] : text[(i + 1)..(from + 1)];
    }

    private static string StripMarks(string s) => string.Concat(s.Where(c => !IsArabicMark(c)));

    private static bool IsArabicLetter(char c) => c is (>= '\u0621' and <= '\u063A') or (>= '\u0641' and <= '\u064A') or (>= '\u0671' and <= '\u06D3');

    private static bool IsArabicMark(char c) => c is (>= '\u064B' and <= '\u065F') or '\u0670';

    private static bool IsDirectionControl(char c) =>
        c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}

using System.Globalization;
using System.Runtime.CompilerServices;

namespace PolicyChat.Core.Text;

/// <summary>What a character is to the tokenizer.</summary>
internal enum CharKind : byte
{
    Separator,
    Letter,
    Mark,
    Digit,
    Cjk,
    Format,
}

/// <summary>Character and script classification shared by the tokenizer, the normalizer and the language detector.</summary>
internal static class CharClass
{
    private static readonly CharKind[] s_ascii = BuildAsciiTable();

    /// <summary>Classifies the character (or surrogate pair) at <paramref name="index"/>; <paramref name="width"/> is 1 or 2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static CharKind Classify(ReadOnlySpan<char> text, int index, out int width)
    {
        char c = text[index];
        width = 1;
        if (c < 0x80)
        {
            return s_ascii[c];
        }

        // Arabic fast path: the bulk of the corpus.
        if (c is >= '\u0621' and <= '\u064A')
        {
            return CharKind.Letter;
        }
        if (c is >= '\u064B' and <= '\u065F')
        {
            return CharKind.Mark;
        }
        if (c is >= '\u0660' and <= '\u0669')
        {
            return CharKind.Digit;
        }

        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            width = 2;
            int cp = char.ConvertToUtf32(c, text[index + 1]);
            return IsCjkIdeographSupplementary(cp) ? CharKind.Cjk : FromCategory(CharUnicodeInfo.GetUnicodeCategory(cp));
        }

        return IsCjk(c) ? CharKind.Cjk : FromCategory(CharUnicodeInfo.GetUnicodeCategory(c));
    }

    public static bool IsWordKind(CharKind kind) => kind is CharKind.Letter or CharKind.Mark or CharKind.Digit;

    /// <summary>Arabic blocks: 0600–06FF, 0750–077F, 08A0–08FF and the presentation forms FB50–FDFF, FE70–FEFF.</summary>
    public static bool IsArabicBlock(int cp) =>
        cp is (>= 0x0600 and <= 0x06FF) or (>= 0x0750 and <= 0x077F) or (>= 0x08A0 and <= 0x08FF)
            or (>= 0xFB50 and <= 0xFDFF) or (>= 0xFE70 and <= 0xFEFF);

    /// <summary>Han, Hiragana, Katakana (BMP), including half-width Katakana and the iteration marks; not the Katakana middle dot.</summary>
    public static bool IsCjk(char c) =>
        c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\uF900' and <= '\uFAFF')
            or (>= '\u3041' and <= '\u309F') or (>= '\u30A1' and <= '\u30FA') or (>= '\u30FC' and <= '\u30FF')
            or (>= '\u31F0' and <= '\u31FF') or (>= '\uFF66' and <= '\uFF9F') or (>= '\u3005' and <= '\u3007');

    /// <summary>Han ideographs outside the BMP (extensions B and later, compatibility supplement).</summary>
    public static bool IsCjkIdeographSupplementary(int cp) => cp is >= 0x20000 and <= 0x3FFFF;

    /// <summary>Latin letters: ASCII, Latin-1, Latin Extended A/B, Extended Additional, full-width Latin.</summary>
    public static bool IsLatinLetter(char c) =>
        (uint)((c | 0x20) - 'a') <= 'z' - 'a'
            || (c is (>= '\u00C0' and <= '\u024F') and not '\u00D7' and not '\u00F7')
            || c is (>= '\u1E00' and <= '\u1EFF') or (>= '\uFF21' and <= '\uFF3A') or (>= '\uFF41' and <= '\uFF5A');

    /// <summary>True for a Latin letter at <paramref name="index"/> (false out of range).</summary>
    public static bool IsLatinLetterAt(ReadOnlySpan<char> text, int index) =>
        (uint)index < (uint)text.Length && IsLatinLetter(text[index]);

    /// <summary>Apostrophes that may join the two halves of a Latin word (don't, O’Brien); they are dropped.</summary>
    public static bool IsApostrophe(char c) => c is '\'' or '\u2019' or '\u02BC';

    /// <summary>Separators that stay inside a number when they stand between two digits: 2,500 3.5 ٢٫٥ ٢٬٥٠٠.</summary>
    public static bool IsNumberSeparator(char c) => c is ',' or '.' or '\u066B' or '\u066C';

    public static bool IsDigitAt(ReadOnlySpan<char> text, int index) =>
        (uint)index < (uint)text.Length && char.IsDigit(text[index]);

    private static CharKind FromCategory(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharKind.Letter,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => CharKind.Mark,
        UnicodeCategory.DecimalDigitNumber => CharKind.Digit,
        UnicodeCategory.Format => CharKind.Format,
        _ => CharKind.Separator,
    };

    private static CharKind[] BuildAsciiTable()
    {
        var table = new CharKind[128];
        for (int c = 0; c < 128; c++)
        {
            table[c] = c switch
            {
                >= 'a' and <= 'z' or >= 'A' and <= 'Z' => CharKind.Letter,
                >= '0' and <= '9' => CharKind.Digit,
                _ => CharKind.Separator,
            };
        }
        return table;
    }
}

using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace PolicyChat.Core.Text;

/// <summary>
/// The normalization chain, applied identically to whole strings and to single tokens:
/// <see cref="UnicodeCompatibility"/> (NFKC), then per character <see cref="ArabicDiacritics"/> (removal),
/// invisible format characters and word-internal Latin apostrophes (removal), <see cref="ArabicLetterForms"/>,
/// <see cref="DigitFolding"/> and invariant lower-casing.
/// </summary>
internal static class TextNormalizer
{
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return text;
        }
        ReadOnlySpan<char> source = UnicodeCompatibility.Apply(text, out _);
        char[] buffer = ArrayPool<char>.Shared.Rent(source.Length);
        try
        {
            int written = Fold(source, buffer);
            return buffer.AsSpan(0, written).SequenceEqual(text) ? text : new string(buffer, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The per-character part of the chain (everything after NFKC). Never lengthens the text:
    /// <paramref name="destination"/> needs at most <paramref name="source"/>.Length characters.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Fold(ReadOnlySpan<char> source, Span<char> destination)
    {
        int written = 0;
        for (int i = 0; i < source.Length; i++)
        {
            char c = source[i];
            if (c < 0x80)
            {
                if (c is >= 'A' and <= 'Z')
                {
                    c = (char)(c | 0x20);
                }
                else if (c == '\'' && IsWordInternalApostrophe(source, i))
                {
                    continue;
                }
                destination[written++] = c;
                continue;
            }

            if (c is >= '\u0600' and <= '\u06FF')
            {
                if (ArabicDiacritics.IsRemovable(c) || c == '\u061C')
                {
                    continue;
                }
                destination[written++] = DigitFolding.Fold(ArabicLetterForms.Fold(c));
                continue;
            }

            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format
                || (CharClass.IsApostrophe(c) && IsWordInternalApostrophe(source, i)))
            {
                continue;
            }
            destination[written++] = char.ToLowerInvariant(c);
        }
        return written;
    }

    private static bool IsWordInternalApostrophe(ReadOnlySpan<char> text, int index) =>
        CharClass.IsLatinLetterAt(text, index - 1) && CharClass.IsLatinLetterAt(text, index + 1);
}

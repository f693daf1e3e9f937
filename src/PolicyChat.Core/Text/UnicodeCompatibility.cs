using System.Text;

namespace PolicyChat.Core.Text;

/// <summary>
/// Normalization step: Unicode NFKC, which folds Arabic presentation forms (FB50–FDFF, FE70–FEFF), ligatures
/// and full-width Latin. NFKC may change the length (ﻻ → لا, ﷲ → الله).
/// </summary>
internal static class UnicodeCompatibility
{
    /// <summary>
    /// Returns the NFKC form, or <paramref name="text"/> itself when it is already normalized. Text made only of
    /// characters that NFKC leaves alone (ASCII, Latin-1 letters, common Arabic letters,
    /// digits, marks and punctuation, dashes and quotes, CJK ideographs, kana) skips
    /// the ICU call entirely. Arabic marks are removed later anyway, so whether NFKC composes ا + U+0653 into آ makes
    /// no difference to the final result.
    /// </summary>
    public static ReadOnlySpan<char> Apply(ReadOnlySpan<char> text, out string? allocated)
    {
        allocated = null;
        if (IsTriviallyNormalized(text) || text.IsNormalized(NormalizationForm.FormKC))
        {
            return text;
        }
        allocated = text.ToString().Normalize(NormalizationForm.FormKC);
        return allocated;
    }

    private static bool IsTriviallyNormalized(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (c < '\u00A0'
                || c is (>= '\u00C0' and <= '\u00FF') or '\u00AB' or '\u00BB' or '\u00AD'
                || c is '\u060C' or '\u061B' or '\u061F' or '\u06D4' or (>= '\u2013' and <= '\u2014') or (>= '\u2018' and <= '\u201D')
                || c is (>= '\u0621' and <= '\u0672') or (>= '\u06F0' and <= '\u06F9')
                || c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3041' and <= '\u3096') or (>= '\u30A1' and <= '\u30FA'))
            {
                continue;
            }
            return false;
        }
        return true;
    }
}

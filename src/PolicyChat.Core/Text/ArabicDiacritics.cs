namespace PolicyChat.Core.Text;

/// <summary>Normalization step: Arabic diacritics (tashkeel), Quranic annotation marks and tatweel are removed.</summary>
internal static class ArabicDiacritics
{
    /// <summary>
    /// Tashkeel and other marks U+064B–U+065F, superscript alef U+0670, Quranic marks U+06D6–U+06ED,
    /// the small honorific signs U+0610–U+061A, and tatweel U+0640.
    /// </summary>
    public static bool IsRemovable(char c) =>
        c is (>= '\u064B' and <= '\u065F') or '\u0670' or (>= '\u06D6' and <= '\u06ED') or (>= '\u0610' and <= '\u061A') or '\u0640';
}

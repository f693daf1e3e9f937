namespace PolicyChat.Core.Text;

/// <summary>Script-based language detection: no model, deterministic, allocation-free.</summary>
public static class LanguageDetector
{
    /// <summary>
    /// Detects the dominant language by script: "ar", "en", "zh" or "other". Only letters count; each CJK character
    /// counts as two letters (it carries about a word). The largest share wins; ties go to ar, then zh, then en.
    /// Text without letters is "other".
    /// </summary>
    public static string Detect(ReadOnlySpan<char> text)
    {
        int arabic = 0;
        int latin = 0;
        int cjk = 0;
        int other = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x80)
            {
                if ((uint)((c | 0x20) - 'a') <= 'z' - 'a')
                {
                    latin++;
                }
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                int cp = char.ConvertToUtf32(c, text[i + 1]);
                i++;
                if (CharClass.IsCjkIdeographSupplementary(cp))
                {
                    cjk++;
                }
                else if (System.Text.Rune.IsLetter(new System.Text.Rune(cp)))
                {
                    other++;
                }
                continue;
            }
            if (!char.IsLetter(c))
            {
                continue;
            }
            if (IsCjkLetter(c))
            {
                cjk++;
            }
            else if (CharClass.IsArabicBlock(c))
            {
                arabic++;
            }
            else if (IsLatinBlock(c))
            {
                latin++;
            }
            else
            {
                other++;
            }
        }

        int cjkWeight = cjk * 2;
        if (arabic == 0 && latin == 0 && cjk == 0)
        {
            return Languages.Other;
        }
        if (arabic >= latin && arabic >= cjkWeight && arabic >= other)
        {
            return Languages.Arabic;
        }
        if (cjkWeight >= latin && cjkWeight >= other)
        {
            return Languages.Chinese;
        }
        return latin >= other ? Languages.English : Languages.Other;
    }

    private static bool IsCjkLetter(char c) =>
        c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\uF900' and <= '\uFAFF')
            or (>= '\u3040' and <= '\u309F') or (>= '\u30A0' and <= '\u30FF');

    private static bool IsLatinBlock(char c) =>
        c is <= '\u024F' or (>= '\u1E00' and <= '\u1EFF') or (>= '\u2C60' and <= '\u2C7F') or (>= '\uA720' and <= '\uA7FF')
            or (>= '\uFF21' and <= '\uFF3A') or (>= '\uFF41' and <= '\uFF5A');
}

using PolicyChat.Core.Text;

namespace PolicyChat.Core.Answering;

/// <summary>
/// Judges a question the model wrote (a rewritten follow-up, a translation) before it becomes a search query: one line,
/// in the expected language, not a refusal or a comment ("I cannot find this in the passages."), not much longer than
/// the original, and a question when the original was one.
/// </summary>
public static class ModelQueryCheck
{
    private static readonly string[] s_refusals =
    [
        "i cannot", "i can't", "i can not", "i'm sorry", "i am sorry", "sorry,", "as an ai", "i don't know", "i do not know",
        "does not contain", "doesn't contain", "no information", "not mentioned", "unable to",
        "لا أستطيع", "لا يمكنني", "عذرا", "عذرًا", "آسف", "لا تتضمن", "لا تحتوي", "لا أعرف", "لا توجد معلومات", "لم أجد",
        "无法", "抱歉", "对不起",
    ];

    /// <summary>The cleaned question, or null when the output must not be used.</summary>
    public static string? Accept(string? output, string expectedLanguage, string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        var line = output?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()?.Trim('"', '«', '»', '“', '”', ' ');
        if (string.IsNullOrWhiteSpace(line) || line.Length > original.Length * 4 + 200)
        {
            return null;
        }
        if (s_refusals.Any(r => line.Contains(r, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }
        var language = LanguageDetector.Detect(line);
        if (expectedLanguage != Languages.Other && language != expectedLanguage)
        {
            return null;
        }
        var wasQuestion = original.TrimEnd().EndsWith('?') || original.TrimEnd().EndsWith('؟') || original.TrimEnd().EndsWith('？');
        var isQuestion = line.EndsWith('?') || line.EndsWith('؟') || line.EndsWith('？');
        return wasQuestion && !isQuestion ? null : line;
    }
}

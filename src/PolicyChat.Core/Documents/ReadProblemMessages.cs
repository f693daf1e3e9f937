namespace PolicyChat.Core.Documents;

/// <summary>User-facing messages for <see cref="ReadProblem"/> in English and Arabic (the reason strings stay English).</summary>
public static class ReadProblemMessages
{
    /// <summary>Returns the message for <paramref name="problem"/>; <paramref name="language"/> "ar" gives Arabic, anything else English.</summary>
    public static string Get(ReadProblem problem, string language)
    {
        var arabic = string.Equals(language, "ar", StringComparison.OrdinalIgnoreCase);
        return problem switch
        {
            ReadProblem.UnsupportedType => arabic ? "نوع الملف غير مدعوم." : "This file type is not supported.",
            ReadProblem.Empty => arabic ? "الملف فارغ أو لا يحتوي على نص." : "The file is empty or contains no text.",
            ReadProblem.TooLarge => arabic ? "الملف أكبر من الحجم المسموح به." : "The file is larger than the allowed size.",
            ReadProblem.InvalidEncoding => arabic ? "ترميز الملف غير صالح؛ يُرجى حفظه بترميز UTF-8." : "The file's text encoding is invalid; please save it as UTF-8.",
            ReadProblem.Binary => arabic ? "يبدو أن الملف ثنائي وليس نصًا." : "The file appears to be binary, not text.",
            ReadProblem.Corrupt => arabic ? "الملف تالف أو لا يمكن قراءته." : "The file is corrupt or cannot be read.",
            ReadProblem.ToolMissing => arabic ? "الأداة اللازمة لقراءة هذا النوع من الملفات غير مثبتة." : "The tool needed to read this file type is not installed.",
            _ => arabic ? "تعذّرت قراءة الملف." : "The file could not be read.",
        };
    }
}

using PolicyChat.Core.Text;

namespace PolicyChat.Core.Answering;

/// <summary>User-facing strings of answers, in Arabic and English (chosen by the question's language).</summary>
public static class AnswerText
{
    public static bool IsArabic(string language) => language == Languages.Arabic;

    public static string NotFound(string language) => IsArabic(language)
        ? "لم أجد في المجموعة ما يجيب عن هذا السؤال."
        : "Not found in the collection: none of the documents answers this question.";

    public static string ExtractiveLead(string language) => IsArabic(language)
        ? "أبرز ما ورد في المجموعة حول هذا السؤال:"
        : "The most relevant statements in the collection:";

    /// <summary>The lead when every quoted sentence is in <paramref name="sourceLanguage"/>, not the question's language.</summary>
    public static string ExtractiveLeadInSourceLanguage(string language, string sourceLanguage) => IsArabic(language)
        ? $"لم أجد ذلك إلا في مصادر {ArabicLanguageName(sourceLanguage)}، وهذه أبرز ما ورد فيها بنصه الأصلي:"
        : $"The collection covers this only in {LanguageName(sourceLanguage)} sources; the most relevant statements, quoted as written:";

    /// <summary>A partial answer: the collection does not answer directly; the closest passages are the sources shown.</summary>
    public static string PartialLead(string language) => IsArabic(language)
        ? "لا تجيب المجموعة عن هذا السؤال مباشرة؛ أقرب المقاطع إليه معروضة في المصادر."
        : "The collection does not answer this directly; the closest passages are shown in the sources.";

    public static string PartialNotice(string language) => IsArabic(language)
        ? "إجابة جزئية: لم يُعثر على جملة تجيب عن السؤال، فتُعرض أقرب المقاطع دون اقتباس."
        : "Partial answer: no sentence answers the question, so the closest passages are listed without quoting them.";

    public static string ExtractiveNotice(string language, bool modelConfigured) => (IsArabic(language), modelConfigured) switch
    {
        (true, false) => "لا يوجد نموذج لغوي مُعدّ، لذا تُعرض أقرب الجمل من المصادر كما هي.",
        (true, true) => "تعذّر الوصول إلى النموذج اللغوي، لذا تُعرض أقرب الجمل من المصادر كما هي.",
        (false, false) => "No language model is configured, so the most relevant sentences are quoted from the sources.",
        (false, true) => "The language model could not be reached, so the most relevant sentences are quoted from the sources.",
    };

    public static string AbstainedNotice(string language) => IsArabic(language)
        ? "لا توجد في المجموعة أدلة كافية للإجابة، فلم يُستدعَ النموذج."
        : "The collection holds no evidence for this question, so no answer was generated.";

    public static string ModelStoppedNotice(string language) => IsArabic(language)
        ? "توقّف النموذج اللغوي قبل إكمال إجابته؛ وهذه أقرب الجمل من المصادر:"
        : "The language model stopped before finishing; here are the most relevant sentences from the sources:";

    public static string ModelFailed(string language) => IsArabic(language)
        ? "انقطع الاتصال بالنموذج اللغوي أثناء الإجابة. حاول مرة أخرى."
        : "The language model failed while answering. Please try again.";

    public static string EmptyQuestion(string language) => IsArabic(language)
        ? "السؤال فارغ. اكتب سؤالك ثم أرسله."
        : "The question is empty. Type a question and send it.";

    public static string QuestionTooLong(string language, int max) => IsArabic(language)
        ? $"السؤال أطول من الحد المسموح ({max} حرف). اختصره ثم أعد المحاولة."
        : $"The question is longer than the {max}-character limit. Shorten it and try again.";

    /// <summary>A language's Arabic adjective for sources ("مصادر إنجليزية").</summary>
    public static string ArabicLanguageName(string language) => language switch
    {
        Languages.Arabic => "عربية",
        Languages.Chinese => "صينية",
        _ => "إنجليزية",
    };

    /// <summary>The answer language's English name, for the English answer prompt.</summary>
    public static string LanguageName(string language) => language switch
    {
        Languages.Arabic => "Arabic",
        Languages.Chinese => "Chinese",
        _ => "English",
    };
}

/// <summary>A question the service refuses (empty, too long); the message is in the question's language.</summary>
public sealed class InvalidQuestionException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

using PolicyChat.Core.Answering;
using PolicyChat.Server.Infrastructure;

namespace PolicyChat.Server.Security;

/// <summary>Checks on text callers send that the core's question validation does not make.</summary>
public static class TextChecks
{
    public const string InvalidQuestionCode = "invalid_question";

    public static LocalizedText InvalidText { get; } = new(
        "The question contains characters that are not valid text (an unpaired UTF-16 surrogate). Retype the question and send it again.",
        "يحتوي السؤال على محارف ليست نصًا صالحًا (محرف بديل UTF-16 غير مقترن). أعد كتابة السؤال وأرسله مرة أخرى.");

    /// <summary>True when <paramref name="text"/> is well-formed UTF-16 (every surrogate paired).</summary>
    public static bool IsWellFormed(string? text)
    {
        if (text is null)
        {
            return true;
        }
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The invalid-question error for text that is not well-formed, or null.</summary>
    public static InvalidQuestionException? Check(string? question, string language) =>
        IsWellFormed(question) ? null : new InvalidQuestionException(InvalidQuestionCode, InvalidText.In(language));
}

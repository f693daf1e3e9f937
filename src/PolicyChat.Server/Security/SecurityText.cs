using PolicyChat.Server.Infrastructure;

namespace PolicyChat.Server.Security;

/// <summary>Messages about access, origins and limits, in English and Arabic.</summary>
public static class SecurityText
{
    public static LocalizedText AdminKeyRequired { get; } = new(
        "Uploading and deleting documents needs an administrator key. Send it as 'Authorization: Bearer <key>' (or paste it into the page's key field). "
        + "The server's operator finds the generated key in the file admin.key in the server's data directory, or sets keys with Auth:AdminKeys.",
        "يتطلب رفع الوثائق وحذفها مفتاح مسؤول. أرسله في الترويسة ‎'Authorization: Bearer <key>'‎ (أو ألصقه في خانة المفتاح في الصفحة). "
        + "يجد مشغّل الخادم المفتاح المولَّد في الملف admin.key في مجلد بيانات الخادم، أو يضبط المفاتيح بالإعداد Auth:AdminKeys.");

    public static LocalizedText CrossOrigin { get; } = new(
        "This request comes from a page this server does not serve (its Origin is not one of Server:PublicOrigins). "
        + "Documents can only be changed, and the chat reached, from this server's own page or with an API client.",
        "هذا الطلب صادر عن صفحة لا يقدّمها هذا الخادم (أصله Origin ليس من Server:PublicOrigins). "
        + "لا يمكن تعديل الوثائق أو الوصول إلى المحادثة إلا من صفحة هذا الخادم نفسه أو من عميل برمجي.");

    public static LocalizedText UriTooLong(int max) => new(
        $"The address is too long: at most {max} characters of path and query are accepted. Send long input in the request body.",
        $"العنوان طويل جدًا: الحد الأقصى {max} حرفًا للمسار والاستعلام. أرسل المدخلات الطويلة في متن الطلب.");

    public static LocalizedText TooManyAnswers(int max) => new(
        $"You already have {max} answers running. Wait for one to finish, then ask again.",
        $"لديك {max} إجابات قيد الإعداد بالفعل. انتظر حتى تنتهي إحداها ثم اسأل مرة أخرى.");

    public static LocalizedText UploadTextTooLarge(long max) => new(
        $"The files hold more text than one upload may add ({max:N0} characters). Upload fewer or smaller files.",
        $"تحتوي الملفات على نص أكثر مما يسمح به الرفع الواحد ({max:N0} حرف). ارفع ملفات أقل أو أصغر.");

    public static LocalizedText UploadTextBudgetExhausted(long perMinute) => new(
        $"Too much text uploaded in the last minute (the limit is {perMinute:N0} characters a minute). Wait a minute and try again.",
        $"رُفع نص كثير جدًا في الدقيقة الأخيرة (الحد {perMinute:N0} حرف في الدقيقة). انتظر دقيقة ثم أعد المحاولة.");

    /// <summary>A query parameter that could not be read; <paramref name="got"/> is shortened to 40 characters.</summary>
    public static LocalizedText InvalidParameter(string name, LocalizedText expected, string got)
    {
        var shown = got.Length > 40 ? got[..40] + "…" : got;
        return new(
            $"The parameter '{name}' is not valid: {expected.English} (got '{shown}').",
            $"قيمة المعامل '{name}' غير صالحة: {expected.Arabic} (القيمة المرسلة '{shown}').");
    }

    public static LocalizedText WholeNumberBetween(int min, int max) => new(
        $"it must be a whole number from {min} to {max}",
        $"يجب أن تكون عددًا صحيحًا من {min} إلى {max}");
}

using PolicyChat.Core.Text;

namespace PolicyChat.Server.Infrastructure;

/// <summary>A user-facing message in English and Arabic; <see cref="In"/> picks one by UI language.</summary>
public sealed record LocalizedText(string English, string Arabic)
{
    public string In(string language) => language == Languages.Arabic ? Arabic : English;
}

/// <summary>Messages the server itself shows to callers (problem details, stream errors), in English and Arabic.</summary>
public static class ServerText
{
    public static LocalizedText Unauthorized { get; } = new(
        "An API key is required. Send it as 'Authorization: Bearer <key>' or in the 'X-Api-Key' header.",
        "يلزم مفتاح وصول (API key). أرسله في الترويسة ‎'Authorization: Bearer <key>'‎ أو ‎'X-Api-Key'‎.");

    public static LocalizedText Forbidden { get; } = new(
        "This action needs an administrator key.",
        "يتطلب هذا الإجراء مفتاح مسؤول.");

    public static LocalizedText CrossOrigin { get; } = new(
        "Documents can only be changed from this server's own page or with an API client, not from another site.",
        "لا يمكن تعديل الوثائق إلا من صفحة هذا الخادم نفسه أو من عميل برمجي، لا من موقع آخر.");

    public static LocalizedText TooManyRequests { get; } = new(
        "Too many requests. Wait a moment and try again.",
        "عدد الطلبات كبير جدًا. انتظر قليلًا ثم أعد المحاولة.");

    public static LocalizedText DocumentNotFound { get; } = new(
        "No document with this id is in the collection.",
        "لا توجد في المجموعة وثيقة بهذا المعرّف.");

    public static LocalizedText NoFiles { get; } = new(
        "Attach one or more files in a multipart/form-data request.",
        "أرفق ملفًا واحدًا أو أكثر في طلب من نوع multipart/form-data.");

    public static LocalizedText TooManyFiles(int max) => new(
        $"At most {max} files can be uploaded at once.",
        $"يمكن رفع {max} ملفًا على الأكثر في المرة الواحدة.");

    public static LocalizedText UnsupportedFileType(IEnumerable<string> files, IEnumerable<string> supported) => new(
        $"Unsupported file type: {string.Join(", ", files)}. Supported types: {string.Join(", ", supported)}.",
        $"نوع الملف غير مدعوم: {string.Join("، ", files)}. الأنواع المدعومة: {string.Join("، ", supported)}.");

    public static LocalizedText BodyTooLarge(long maxBytes) => new(
        $"The request is larger than the {maxBytes / 1024 / 1024.0:0.#} MB limit.",
        $"حجم الطلب أكبر من الحد المسموح ({maxBytes / 1024 / 1024.0:0.#} ميغابايت).");

    public static LocalizedText EmptyQuery { get; } = new(
        "The search query is empty. Pass it as ?q=…",
        "نص البحث فارغ. مرّره في المعامل ‎?q=…‎");

    public static LocalizedText InvalidK(int max) => new(
        $"k must be between 1 and {max}.",
        $"يجب أن تكون قيمة k بين 1 و{max}.");

    public static LocalizedText BadRequest { get; } = new(
        "The request could not be read. Check that it is valid JSON with the expected fields.",
        "تعذّرت قراءة الطلب. تأكد أنه JSON صالح يحتوي الحقول المتوقعة.");

    public static LocalizedText AnswerFailed { get; } = new(
        "The service could not answer this question. Please try again.",
        "تعذّر على الخدمة الإجابة عن هذا السؤال. حاول مرة أخرى.");

    public static LocalizedText ServerError { get; } = new(
        "Something went wrong on the server. Please try again.",
        "حدث خطأ في الخادم. حاول مرة أخرى.");

    public static LocalizedText UploadFailed { get; } = new(
        "The file could not be added to the collection.",
        "تعذّرت إضافة الملف إلى المجموعة.");

    public static LocalizedText UnknownModel(string model) => new(
        $"The model '{model}' does not exist. This server serves one model: 'policychat'.",
        $"النموذج '{model}' غير موجود. هذا الخادم يقدّم نموذجًا واحدًا: 'policychat'.");

    public static LocalizedText NoUserMessage { get; } = new(
        "The request has no user message to answer.",
        "لا يحتوي الطلب على رسالة من المستخدم للإجابة عنها.");

    /// <summary>The generic status text for a bare error status (used when nothing more specific was written).</summary>
    public static LocalizedText ForStatus(int status) => status switch
    {
        400 => BadRequest,
        401 => Unauthorized,
        403 => Forbidden,
        404 => new("Not found.", "غير موجود."),
        405 => new("This method is not allowed here.", "هذه الطريقة غير مسموح بها هنا."),
        413 => new("The request body is too large.", "حجم الطلب كبير جدًا."),
        415 => new("Unsupported media type.", "نوع المحتوى غير مدعوم."),
        429 => TooManyRequests,
        _ => ServerError,
    };
}

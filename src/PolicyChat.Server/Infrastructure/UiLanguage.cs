using Microsoft.Net.Http.Headers;
using PolicyChat.Core.Text;

namespace PolicyChat.Server.Infrastructure;

/// <summary>The language for messages to a caller: Arabic or English.</summary>
public static class UiLanguage
{
    /// <summary>
    /// An explicit <paramref name="requested"/> language ("ar…" → Arabic, anything else → English) wins; otherwise the
    /// caller's most preferred Accept-Language (Arabic when it is "ar…", else English).
    /// </summary>
    public static string FromRequest(HttpRequest request, string? requested = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Normalize(requested) is { } explicitLanguage)
        {
            return explicitLanguage;
        }
        var preferred = request.GetTypedHeaders().AcceptLanguage
            .Where(l => l.Quality is null or > 0)
            .OrderByDescending(l => l.Quality ?? 1)
            .FirstOrDefault();
        return preferred is not null && IsArabic(preferred.Value.Value) ? Languages.Arabic : Languages.English;
    }

    /// <summary>
    /// For messages about a question: an explicit <paramref name="requested"/> language, else the caller's Accept-Language
    /// when it sent one, else the question's own language (as the hub does).
    /// </summary>
    public static string ForQuestion(HttpRequest request, string? requested, string? question)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Normalize(requested) is null && request.Headers.AcceptLanguage.Count == 0
            ? PolicyChat.Core.Answering.AnswerService.AnswerLanguage(question ?? "")
            : FromRequest(request, requested);
    }

    /// <summary>"ar", "ar-EG" → ar; "en", "zh", other non-empty values → en; null or blank → null.</summary>
    public static string? Normalize(string? requested) =>
        string.IsNullOrWhiteSpace(requested) ? null : IsArabic(requested) ? Languages.Arabic : Languages.English;

    private static bool IsArabic(string? tag) =>
        tag is not null && (tag.Equals("ar", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("ar-", StringComparison.OrdinalIgnoreCase));

    /// <summary>Sets Content-Language so clients know which language the message is in.</summary>
    public static void Announce(HttpResponse response, string language)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers[HeaderNames.ContentLanguage] = language;
    }
}

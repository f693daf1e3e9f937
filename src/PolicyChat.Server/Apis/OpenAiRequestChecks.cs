using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.Apis;

/// <summary>
/// Checks the sampling parameters of a chat completion request as OpenAI does: a wrong type or a value out of range is
/// a 400 <c>invalid_request_error</c> naming the parameter in <c>error.param</c>. PolicyChat returns one choice, so
/// <c>n</c> must be 1; the answer's length is the answer's, so <c>max_tokens</c> is checked but not applied.
/// </summary>
public static class OpenAiRequestChecks
{
    private sealed record NumberRule(string Name, bool Integer, double Min, double Max);

    private static readonly NumberRule[] s_rules =
    [
        new("max_tokens", true, 1, int.MaxValue),
        new("max_completion_tokens", true, 1, int.MaxValue),
        new("n", true, 1, 1),
        new("temperature", false, 0, 2),
        new("top_p", false, 0, 1),
        new("presence_penalty", false, -2, 2),
        new("frequency_penalty", false, -2, 2),
    ];

    /// <summary>A 400 problem for the first invalid parameter, or null.</summary>
    public static ProblemHttpResult? Invalid(HttpContext context, ChatCompletionRequest body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        foreach (var rule in s_rules)
        {
            if (body.Other is null || !body.Other.TryGetValue(rule.Name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }
            if (Problem(rule, value) is { } problem)
            {
                return ApiProblems.Create(context, StatusCodes.Status400BadRequest, problem.Code, problem.Text, param: rule.Name);
            }
        }
        for (var i = 0; i < (body.Messages?.Count ?? 0); i++)
        {
            if (!IsWellFormed(body.Messages![i].Content))
            {
                var language = UiLanguage.FromRequest(context.Request);
                return ApiProblems.Create(context, StatusCodes.Status400BadRequest, TextChecks.InvalidQuestionCode, TextChecks.InvalidText, language,
                    param: $"messages[{i}].content");
            }
        }
        return null;
    }

    private static (string Code, LocalizedText Text)? Problem(NumberRule rule, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number || (rule.Integer && !value.TryGetInt64(out _)))
        {
            var expected = rule.Integer ? "an integer" : "a number";
            var expectedArabic = rule.Integer ? "عدد صحيح" : "عدد";
            var got = KindName(value);
            return ("invalid_type", new LocalizedText(
                $"Invalid type for '{rule.Name}': expected {expected}, but got {got.English} instead.",
                $"نوع غير صالح للمعامل '{rule.Name}': المتوقع {expectedArabic}، لكن القيمة المرسلة {got.Arabic}."));
        }
        var number = value.GetDouble();
        var shown = value.GetRawText();
        if (rule.Name == "n" && number != 1)
        {
            return ("unsupported_value", new LocalizedText(
                $"Invalid 'n': PolicyChat returns one choice per request, so n must be 1, but got {shown} instead.",
                $"قيمة غير صالحة للمعامل 'n': يعيد PolicyChat خيارًا واحدًا لكل طلب، لذا يجب أن تكون n مساوية 1، لكن القيمة المرسلة {shown}."));
        }
        if (number < rule.Min)
        {
            var min = rule.Min.ToString(CultureInfo.InvariantCulture);
            return (rule.Integer ? "integer_below_min_value" : "decimal_below_min_value", new LocalizedText(
                $"Invalid '{rule.Name}': {(rule.Integer ? "integer" : "decimal")} below minimum value. Expected a value >= {min}, but got {shown} instead.",
                $"قيمة غير صالحة للمعامل '{rule.Name}': أقل من الحد الأدنى. المتوقع قيمة ≥ {min}، لكن القيمة المرسلة {shown}."));
        }
        if (number > rule.Max)
        {
            var max = rule.Max.ToString(CultureInfo.InvariantCulture);
            return (rule.Integer ? "integer_above_max_value" : "decimal_above_max_value", new LocalizedText(
                $"Invalid '{rule.Name}': {(rule.Integer ? "integer" : "decimal")} above maximum value. Expected a value <= {max}, but got {shown} instead.",
                $"قيمة غير صالحة للمعامل '{rule.Name}': أكبر من الحد الأقصى. المتوقع قيمة ≤ {max}، لكن القيمة المرسلة {shown}."));
        }
        return null;
    }

    private static LocalizedText KindName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => new("a string", "نص"),
        JsonValueKind.True or JsonValueKind.False => new("a boolean", "قيمة منطقية"),
        JsonValueKind.Array => new("an array", "مصفوفة"),
        JsonValueKind.Object => new("an object", "كائن"),
        _ => new("a decimal", "عدد عشري"),
    };

    /// <summary>False when a string (or a text part) of the content holds an unpaired surrogate.</summary>
    private static bool IsWellFormed(JsonElement content)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return IsWellFormedString(content);
            case JsonValueKind.Array:
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
                        && !IsWellFormedString(text))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return true;
        }
    }

    private static bool IsWellFormedString(JsonElement value)
    {
        try
        {
            return TextChecks.IsWellFormed(value.GetString());
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

using System.Globalization;

namespace PolicyChat.Server.Security;

/// <summary>Query-string values read by hand, so a bad one gets a problem naming the parameter (not "check the JSON").</summary>
public static class QueryParameters
{
    /// <summary><paramref name="fallback"/> when absent; the value when it is a whole number in [min, max]; else null.</summary>
    public static int? WholeNumber(string? value, int fallback, int min, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }
        return int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : null;
    }
}

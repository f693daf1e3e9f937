using System.ComponentModel.DataAnnotations;

namespace PolicyChat.Core.Models;

internal static class OptionChecks
{
    /// <summary>The message of the options' <see cref="RangeAttribute"/>s; <see cref="Problems"/> puts the section before it.</summary>
    public const string Range = "{0} must be between {1} and {2}";

    /// <summary>The endpoint's problem and every data-annotation problem of <paramref name="options"/>, each naming "Section:Setting".</summary>
    public static IEnumerable<string> Problems(string section, object options, string endpoint)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        var endpointProblem = !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            ? $"{section}:Endpoint must be an absolute http(s) URL such as http://localhost:11434 (it is '{endpoint}')"
            : uri.Query.Length > 0 || uri.Fragment.Length > 0 ? $"{section}:Endpoint must not have a query or fragment (it is '{endpoint}')" : null;
        return results.Select(r => $"{section}:{r.ErrorMessage}").Prepend(endpointProblem).OfType<string>();
    }
}

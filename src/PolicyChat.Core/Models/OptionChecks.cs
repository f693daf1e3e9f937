namespace PolicyChat.Core.Models;

internal static class OptionChecks
{
    /// <summary>A message when <paramref name="endpoint"/> is not a usable base URL, else null.</summary>
    public static string? EndpointProblem(string section, string endpoint)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return $"{section}:Endpoint must be an absolute http(s) URL such as http://localhost:11434 (it is '{endpoint}')";
        }
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            return $"{section}:Endpoint must not have a query or fragment (it is '{endpoint}')";
        }
        return null;
    }
}

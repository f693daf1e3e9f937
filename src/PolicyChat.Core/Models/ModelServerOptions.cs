using System.ComponentModel.DataAnnotations;

namespace PolicyChat.Core.Models;

/// <summary>
/// What the chat and the embedding model have in common: an OpenAI-compatible server (Ollama, llama-server, vLLM), a
/// model on it, a key and a time bound; and a check of them all (endpoint and data annotations) whose messages name
/// "Section:Setting".
/// </summary>
public abstract class ModelServerOptions(string section, string defaultModel)
{
    /// <summary>The message of the options' <see cref="RangeAttribute"/>s; <see cref="Validate"/> puts the section before it.</summary>
    protected const string RangeMessage = "{0} must be between {1} and {2}";

    // A model that is on by default (it has a default name) is turned off by emptying both Endpoint and Model.
    private readonly bool _onByDefault = defaultModel.Length > 0;

    /// <summary>Base URL of the server, without <c>/v1</c> (Ollama: http://localhost:11434, llama-server: http://localhost:8080).</summary>
    public string Endpoint { get; set; } = "http://localhost:11434";

    /// <summary>Model name as the server knows it (Ollama tag, llama-server alias, vLLM served name). Empty disables the model.</summary>
    public string Model { get; set; } = defaultModel;

    /// <summary>Bearer key; Ollama ignores it, llama-server/vLLM check it only when started with one. Empty sends no header.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Longest wait for one call: a whole answer (streaming included), or one batch of embeddings.</summary>
    [Range(1, 3600, ErrorMessage = RangeMessage)]
    public int TimeoutSeconds { get; set; } = 120;

    /// <summary>True when an endpoint and a model are configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Model);

    /// <summary>Problems with these settings, each naming the setting and what to fix; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            return !string.IsNullOrWhiteSpace(Model) ? [$"{section}:Endpoint must be set when {section}:Model is set"]
                : _onByDefault && !string.IsNullOrWhiteSpace(Endpoint) ? [$"{section}:Endpoint and {section}:Model must both be set to use the model, or both be empty to run without it"]
                : [];
        }
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        var endpointProblem = !Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            ? $"{section}:Endpoint must be an absolute http(s) URL such as http://localhost:11434 (it is '{Endpoint}')"
            : uri.Query.Length > 0 || uri.Fragment.Length > 0 ? $"{section}:Endpoint must not have a query or fragment (it is '{Endpoint}')" : null;
        return results.Select(r => $"{section}:{r.ErrorMessage}").Prepend(endpointProblem).Concat(CrossChecks()).OfType<string>();
    }

    /// <summary>Checks between settings of an enabled model: a message naming the settings for each one that fails, null for each that holds.</summary>
    protected virtual IEnumerable<string?> CrossChecks() => [];
}

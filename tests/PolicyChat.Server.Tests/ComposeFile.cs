using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace PolicyChat.Server.Tests;

/// <summary>
/// A compose file read the way Docker Compose reads it, as far as the static tests need: YAML anchors and merge keys
/// (<c>&lt;&lt;: *x</c>) resolved, and <c>${VAR}</c>, <c>${VAR:-default}</c>, <c>${VAR-default}</c>, <c>${VAR:?error}</c>,
/// <c>${VAR?error}</c>, <c>$VAR</c> and <c>$$</c> interpolated from the given variables (unset = not in the dictionary).
/// </summary>
internal sealed partial class ComposeFile
{
    private readonly IReadOnlyDictionary<string, string> _variables;

    public ComposeFile(string fileName, IReadOnlyDictionary<string, string>? variables = null)
    {
        _variables = variables ?? new Dictionary<string, string>();
        Path = System.IO.Path.Combine(ServerFixture.RepoRoot, fileName);
        Text = File.ReadAllText(Path);
        var stream = new YamlStream();
        stream.Load(new StringReader(Text));
        Root = (YamlMappingNode)stream.Documents[0].RootNode;
        Services = (YamlMappingNode)Root["services"];
    }

    public string Path { get; }

    public string Text { get; }

    public YamlMappingNode Root { get; }

    public YamlMappingNode Services { get; }

    public IEnumerable<string> ServiceNames => Services.Children.Keys.Select(k => k.ToString());

    public YamlMappingNode Service(string name) => (YamlMappingNode)Services[name];

    public bool HasService(string name) => Services.Children.ContainsKey(name);

    /// <summary>A service's environment, merge keys resolved and values interpolated; keys keep their <c>__</c>.</summary>
    public Dictionary<string, string> Environment(string service) =>
        Service(service).Children.TryGetValue("environment", out var env)
            ? Merged((YamlMappingNode)env).ToDictionary(p => p.Key, p => Interpolate(p.Value), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The environment as configuration keys (<c>Qdrant:Url</c>), as .NET binds <c>Qdrant__Url</c>.</summary>
    public Dictionary<string, string> Settings(string service) =>
        Environment(service).ToDictionary(p => p.Key.Replace("__", ":", StringComparison.Ordinal), p => p.Value, StringComparer.OrdinalIgnoreCase);

    public string Scalar(string service, string key) => Scalar(Service(service), key);

    public string Scalar(YamlMappingNode node, string key) => node.Children.TryGetValue(key, out var value) ? Interpolate(value.ToString()) : "";

    public IReadOnlyList<string> Sequence(string service, string key) =>
        Service(service).Children.TryGetValue(key, out var node) && node is YamlSequenceNode sequence
            ? sequence.Children.Select(c => Interpolate(c.ToString())).ToList()
            : [];

    public IReadOnlyList<string> Profiles(string service) => Sequence(service, "profiles");

    public IEnumerable<string> DependsOn(string service) =>
        Service(service).Children.TryGetValue("depends_on", out var node) ? ((YamlMappingNode)node).Children.Keys.Select(k => k.ToString()) : [];

    /// <summary>Every variable the file reads (<c>${NAME…}</c> or <c>$NAME</c>, not <c>$$</c>).</summary>
    public IReadOnlySet<string> VariableNames =>
        VariablePattern().Matches(Text.Replace("$$", "", StringComparison.Ordinal)).Select(m => m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["bare"].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Interpolates one value as Compose does; a missing required variable throws with the file's message.</summary>
    public string Interpolate(string value)
    {
        var result = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '$')
            {
                result.Append(value[i]);
                continue;
            }
            if (i + 1 < value.Length && value[i + 1] == '$')
            {
                result.Append('$');
                i++;
                continue;
            }
            if (i + 1 < value.Length && value[i + 1] == '{')
            {
                var end = value.IndexOf('}', i);
                if (end < 0)
                {
                    throw new FormatException($"{Path}: unclosed '${{' in '{value}'");
                }
                result.Append(Expand(value[(i + 2)..end]));
                i = end;
                continue;
            }
            var bare = BareName().Match(value, i + 1);
            if (bare.Success && bare.Index == i + 1)
            {
                result.Append(_variables.GetValueOrDefault(bare.Value, ""));
                i += bare.Length;
                continue;
            }
            result.Append('$');
        }
        return result.ToString();
    }

    private string Expand(string expression)
    {
        var name = BareName().Match(expression).Value;
        var rest = expression[name.Length..];
        var set = _variables.TryGetValue(name, out var current);
        var nonEmpty = set && !string.IsNullOrEmpty(current);
        return rest switch
        {
            "" => current ?? "",
            _ when rest.StartsWith(":-", StringComparison.Ordinal) => nonEmpty ? current! : Interpolate(rest[2..]),
            _ when rest.StartsWith('-') => set ? current! : Interpolate(rest[1..]),
            _ when rest.StartsWith(":?", StringComparison.Ordinal) => nonEmpty ? current! : throw new ComposeVariableException(name, rest[2..]),
            _ when rest.StartsWith('?') => set ? current! : throw new ComposeVariableException(name, rest[1..]),
            _ => throw new FormatException($"{Path}: unsupported interpolation '${{{expression}}}'"),
        };
    }

    /// <summary>A mapping's entries with <c>&lt;&lt;</c> merge keys applied (explicit keys win).</summary>
    private static IEnumerable<KeyValuePair<string, string>> Merged(YamlMappingNode node)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node.Children.TryGetValue("<<", out var merge))
        {
            var sources = merge is YamlSequenceNode list ? list.Children.Cast<YamlMappingNode>() : [(YamlMappingNode)merge];
            foreach (var (key, value) in sources.SelectMany(Merged))
            {
                entries.TryAdd(key, value);
            }
        }
        foreach (var (key, value) in node.Children.Where(p => p.Key.ToString() != "<<"))
        {
            entries[key.ToString()] = value.ToString();
        }
        return entries;
    }

    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)|(?<bare>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex VariablePattern();

    [GeneratedRegex("[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex BareName();
}

/// <summary>A required variable (<c>${NAME:?message}</c>) is unset: Compose refuses to start with the message.</summary>
internal sealed class ComposeVariableException(string name, string message) : Exception($"required variable {name} is missing a value: {message}")
{
    public string Name { get; } = name;
}

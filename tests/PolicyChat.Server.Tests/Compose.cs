using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace PolicyChat.Server.Tests;

/// <summary>Reads the compose files as Compose does for what the tests check: YAML with anchors and merge keys, and <c>${VAR:-default}</c> with the defaults.</summary>
internal static partial class Compose
{
    public static YamlMappingNode Root(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(ServerFixture.RepoRoot, file))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public static YamlMappingNode Services(string file) => (YamlMappingNode)Root(file)["services"];

    /// <summary>A mapping with its <c>&lt;&lt;</c> merge keys applied (own keys win).</summary>
    public static Dictionary<string, string> Map(YamlNode node)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var mapping = (YamlMappingNode)node;
        if (mapping.Children.TryGetValue("<<", out var merged))
        {
            foreach (var (key, value) in Map(merged))
            {
                result[key] = value;
            }
        }
        foreach (var (key, value) in mapping.Children.Where(p => p.Key.ToString() != "<<"))
        {
            result[key.ToString()] = value.ToString();
        }
        return result;
    }

    /// <summary>The environment of a service with the variables' defaults, keys as configuration keys (<c>__</c> → <c>:</c>).</summary>
    public static Dictionary<string, string> Environment(YamlMappingNode services, string service) =>
        ((YamlMappingNode)services[service]).Children.TryGetValue("environment", out var env)
            ? Map(env).ToDictionary(p => p.Key.Replace("__", ":", StringComparison.Ordinal), p => Interpolate(p.Value), StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>${VAR:-default}</c> → default (no variable set), <c>$$</c> → <c>$</c>.</summary>
    public static string Interpolate(string value) => Variable().Replace(value, m => m.Groups[1].Value).Replace("$$", "$", StringComparison.Ordinal);

    [GeneratedRegex(@"\$\{[A-Z_]+:-([^}]*)\}")]
    private static partial Regex Variable();
}

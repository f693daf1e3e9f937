using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyChat.Core.Documents;

/// <summary>One file's entry in metadata.yaml; null fields leave the derived value in place.</summary>
public sealed record SidecarEntry(string? Title, string? Language, string? Date, string? Outlet);

/// <summary>
/// Optional metadata.yaml in a folder, mapping file names to {title, language, date, outlet}:
/// <code>
/// report.txt:
///   title: ...
///   language: ar
///   date: 2025-01-08
///   outlet: ...
/// </code>
/// Entries override metadata derived from the text.
/// </summary>
public sealed class SidecarMetadata
{
    public const string FileName = "metadata.yaml";

    private static readonly HashSet<string> s_fields = new(StringComparer.Ordinal) { "title", "language", "date", "outlet" };

    private readonly Dictionary<string, SidecarEntry> _entries;

    private SidecarMetadata(Dictionary<string, SidecarEntry> entries, string? sourcePath)
    {
        _entries = entries;
        SourcePath = sourcePath;
    }

    public static SidecarMetadata Empty { get; } = new(new Dictionary<string, SidecarEntry>(StringComparer.Ordinal), null);

    /// <summary>The metadata.yaml that was read; null when the folder has none.</summary>
    public string? SourcePath { get; }

    public IReadOnlyDictionary<string, SidecarEntry> Entries => _entries;

    /// <summary>
    /// Reads <c>metadata.yaml</c> in <paramref name="directory"/>; a folder without one gives <see cref="Empty"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not valid YAML or not the expected shape; the message names the file and the place.</exception>
    public static SidecarMetadata Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return Empty;
        }
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses metadata.yaml content; <paramref name="sourceName"/> names the file in error messages.</summary>
    public static SidecarMetadata Parse(string yaml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw Invalid(sourceName, ex.Start.Line, "is not valid YAML: " + FirstLine(ex.Message));
        }

        var entries = new Dictionary<string, SidecarEntry>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new SidecarMetadata(entries, sourceName);
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw Invalid(sourceName, stream.Documents[0].RootNode.Start.Line, "must map file names to {title, language, date, outlet}");
        }

        foreach (var (keyNode, valueNode) in root.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } fileName })
            {
                throw Invalid(sourceName, keyNode.Start.Line, "has an entry whose key is not a file name");
            }
            if (entries.ContainsKey(fileName))
            {
                throw Invalid(sourceName, keyNode.Start.Line, $"lists '{fileName}' twice");
            }
            entries[fileName] = ParseEntry(sourceName, fileName, valueNode);
        }
        return new SidecarMetadata(entries, sourceName);
    }

    /// <summary>The entry for a file name (the name only, not a path); null when there is none.</summary>
    public SidecarEntry? Find(string fileName) => _entries.GetValueOrDefault(Path.GetFileName(fileName));

    /// <summary>Applies the entry for <paramref name="fileName"/> over <paramref name="derived"/>.</summary>
    public DocumentMetadata Apply(string fileName, DocumentMetadata derived)
    {
        ArgumentNullException.ThrowIfNull(derived);
        if (Find(fileName) is not { } entry)
        {
            return derived;
        }
        return new DocumentMetadata(entry.Title ?? derived.Title, entry.Language ?? derived.Language, entry.Date ?? derived.Date, entry.Outlet ?? derived.Outlet);
    }

    private static SidecarEntry ParseEntry(string sourceName, string fileName, YamlNode node)
    {
        if (node is YamlScalarNode { Value: null or "" })
        {
            return new SidecarEntry(null, null, null, null);
        }
        if (node is not YamlMappingNode mapping)
        {
            throw Invalid(sourceName, node.Start.Line, $"entry '{fileName}' must be a mapping of title, language, date, outlet");
        }
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (!s_fields.Contains(key))
            {
                throw Invalid(sourceName, keyNode.Start.Line, $"entry '{fileName}' has unknown field '{key}' (expected title, language, date, outlet)");
            }
            if (valueNode is not YamlScalarNode scalar)
            {
                throw Invalid(sourceName, valueNode.Start.Line, $"entry '{fileName}' field '{key}' must be a single value");
            }
            values[key] = string.IsNullOrWhiteSpace(scalar.Value) ? null : scalar.Value.Trim();
        }

        var date = values.GetValueOrDefault("date");
        if (date is not null)
        {
            if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
            {
                throw Invalid(sourceName, mapping.Start.Line, $"entry '{fileName}' has date '{date}', expected yyyy-MM-dd");
            }
        }
        var language = values.GetValueOrDefault("language")?.ToLowerInvariant();
        return new SidecarEntry(values.GetValueOrDefault("title"), language, date, values.GetValueOrDefault("outlet"));
    }

    private static InvalidDataException Invalid(string sourceName, long line, string problem) =>
        new($"{sourceName} (line {line}) {problem}");

    private static string FirstLine(string message)
    {
        var index = message.IndexOf('\n', StringComparison.Ordinal);
        return index < 0 ? message : message[..index];
    }
}

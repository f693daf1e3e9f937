using System.Text;
using System.Text.RegularExpressions;

namespace PolicyChat.Core.Answering;

/// <summary>
/// Loads the prompt files from the prompts folder once and fills their {{placeholders}}. A missing file or a
/// placeholder a prompt needs but lacks is reported at start-up, naming the file.
/// </summary>
public sealed partial class PromptProvider
{
    public const string AnswerEnglish = "answer.en.md";
    public const string AnswerArabic = "answer.ar.md";
    public const string RewriteFollowUp = "rewrite-followup.md";
    public const string TranslateQuery = "translate-query.md";

    private static readonly Dictionary<string, string[]> s_required = new(StringComparer.Ordinal)
    {
        [AnswerEnglish] = ["passages", "question", "answer_language"],
        [AnswerArabic] = ["passages", "question"],
        [RewriteFollowUp] = ["history", "question"],
        [TranslateQuery] = ["question", "target_language"],
    };

    private readonly Dictionary<string, string> _templates;

    private PromptProvider(Dictionary<string, string> templates) => _templates = templates;

    public string Folder { get; private init; } = "";

    /// <summary>Loads and validates every prompt; throws <see cref="InvalidOperationException"/> naming what is wrong.</summary>
    public static PromptProvider Load(string folder)
    {
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (file, placeholders) in s_required)
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path))
            {
                problems.Add($"prompt file {path} is missing");
                continue;
            }
            var text = File.ReadAllText(path, Encoding.UTF8);
            foreach (var name in placeholders.Where(p => !text.Contains("{{" + p + "}}", StringComparison.Ordinal)))
            {
                problems.Add($"prompt file {path} lacks the placeholder {{{{{name}}}}}");
            }
            templates[file] = text;
        }
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Prompts (Answer:PromptsPath) are not usable: " + string.Join("; ", problems) + ".");
        }
        return new PromptProvider(templates) { Folder = Path.GetFullPath(folder) };
    }

    /// <summary>Finds the prompts folder: the given path, else `prompts/` in the working directory or above the app.</summary>
    public static string Locate(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "prompts");
                if (File.Exists(Path.Combine(candidate, AnswerEnglish)))
                {
                    return candidate;
                }
            }
        }
        return "prompts";
    }

    public string Render(string file, IReadOnlyDictionary<string, string> values)
    {
        var template = _templates[file];
        return Placeholder().Replace(template, m =>
            values.TryGetValue(m.Groups[1].Value, out var value)
                ? value
                : throw new InvalidOperationException($"No value for {{{{{m.Groups[1].Value}}}}} in {file}."));
    }

    /// <summary>Passages as the prompts show them: "[n] title — outlet, date" then the text.</summary>
    public static string FormatPassages(IReadOnlyList<Passage> passages)
    {
        var sb = new StringBuilder();
        foreach (var p in passages)
        {
            sb.Append('[').Append(p.Number).Append("] ").Append(p.Title);
            var source = string.Join(", ", new[] { p.Outlet, p.Date }.Where(s => !string.IsNullOrWhiteSpace(s)));
            if (source.Length > 0)
            {
                sb.Append(" — ").Append(source);
            }
            sb.Append('\n').Append(p.Text.Trim()).Append("\n\n");
        }
        return sb.ToString().TrimEnd();
    }

    [GeneratedRegex(@"\{\{([a-z_]+)\}\}")]
    private static partial Regex Placeholder();
}

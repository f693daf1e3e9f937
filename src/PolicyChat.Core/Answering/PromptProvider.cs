using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.SemanticKernel;

namespace PolicyChat.Core.Answering;

/// <summary>
/// Loads the prompt folder once as Semantic Kernel prompt functions (SK's prompt-directory form: one folder per job with
/// <c>skprompt.txt</c> and <c>config.json</c>) and renders them with SK's template engine. A missing folder, file or
/// variable is reported at start-up, naming it.
/// </summary>
public sealed partial class PromptProvider
{
    public const string AnswerEnglish = "AnswerEnglish";
    public const string AnswerArabic = "AnswerArabic";
    public const string RewriteFollowUp = "RewriteFollowUp";
    public const string TranslateQuery = "TranslateQuery";

    private static readonly Dictionary<string, string[]> s_required = new(StringComparer.Ordinal)
    {
        [AnswerEnglish] = ["history", "passages", "question", "answer_language"],
        [AnswerArabic] = ["history", "passages", "question"],
        [RewriteFollowUp] = ["history", "question"],
        [TranslateQuery] = ["question", "target_language"],
    };

    private static readonly Kernel s_renderKernel = new();

    private readonly Dictionary<string, (KernelFunction Function, IPromptTemplate Template)> _functions;

    private PromptProvider(Dictionary<string, (KernelFunction, IPromptTemplate)> functions) => _functions = functions;

    public string Folder { get; private init; } = "";

    /// <summary>Loads and validates every prompt; throws <see cref="InvalidOperationException"/> naming what is wrong.</summary>
    public static PromptProvider Load(string folder)
    {
        var functions = new Dictionary<string, (KernelFunction, IPromptTemplate)>(StringComparer.Ordinal);
        var problems = new List<string>();
        // Variable values stay HTML-encoded: each template is a <message>, whose parser decodes them again, so a passage
        // reaches the model verbatim but cannot open a message of its own.
        var factory = new KernelPromptTemplateFactory();
        foreach (var (name, variables) in s_required)
        {
            var directory = Path.Combine(folder, name);
            var templatePath = Path.Combine(directory, "skprompt.txt");
            var configPath = Path.Combine(directory, "config.json");
            if (!File.Exists(templatePath) || !File.Exists(configPath))
            {
                problems.Add($"prompt folder {directory} needs skprompt.txt and config.json");
                continue;
            }
            PromptTemplateConfig config;
            try
            {
                config = PromptTemplateConfig.FromJson(File.ReadAllText(configPath, Encoding.UTF8));
            }
            catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException)
            {
                problems.Add($"{configPath} is not a prompt configuration: {ex.Message}");
                continue;
            }
            config.Name = name;
            config.Template = File.ReadAllText(templatePath, Encoding.UTF8);
            foreach (var variable in variables)
            {
                if (!config.Template.Contains("{{$" + variable + "}}", StringComparison.Ordinal))
                {
                    problems.Add($"{templatePath} lacks the variable {{{{${variable}}}}}");
                }
                if (!config.InputVariables.Any(v => v.Name == variable))
                {
                    problems.Add($"{configPath} does not declare the input variable '{variable}'");
                }
            }
            var template = factory.Create(config);
            functions[name] = (KernelFunctionFactory.CreateFromPrompt(config, factory), template);
        }
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Prompts (Answer:PromptsPath) are not usable: " + string.Join("; ", problems) + ".");
        }
        return new PromptProvider(functions) { Folder = Path.GetFullPath(folder) };
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
                if (File.Exists(Path.Combine(candidate, AnswerEnglish, "skprompt.txt")))
                {
                    return candidate;
                }
            }
        }
        return "prompts";
    }

    /// <summary>The kernel function of a prompt (one of the constants of this class).</summary>
    public KernelFunction Function(string name) => _functions[name].Function;

    /// <summary>The text the model receives for these arguments: the rendered template without its message tags, decoded.</summary>
    public async Task<string> RenderAsync(string name, KernelArguments arguments, CancellationToken cancellationToken = default)
    {
        var rendered = await _functions[name].Template.RenderAsync(s_renderKernel, arguments, cancellationToken);
        return WebUtility.HtmlDecode(MessageTag().Replace(rendered, ""));
    }

    /// <summary>Passages as the prompts show them: "[n] title — outlet, date" then the text.</summary>
    public static string FormatPassages(IReadOnlyList<Passage> passages)
    {
        var sb = new StringBuilder();
        foreach (var p in passages)
        {
            sb.Append(FormatPassage(p)).Append("\n\n");
        }
        return sb.ToString().TrimEnd();
    }

    public static string FormatPassage(Passage p)
    {
        var source = string.Join(", ", new[] { p.Outlet, p.Date }.Where(s => !string.IsNullOrWhiteSpace(s)));
        return $"[{p.Number}] {p.Title}{(source.Length > 0 ? " — " + source : "")}\n{p.Text.Trim()}";
    }

    [GeneratedRegex("</?message[^>]*>")]
    private static partial Regex MessageTag();
}

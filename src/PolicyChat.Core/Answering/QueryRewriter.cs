using System.Text;
using Microsoft.SemanticKernel;
using PolicyChat.Core.Conversations;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Answering;

/// <summary>
/// Turns a follow-up ("وماذا عن روسيا؟", "and what about Russia?") into a standalone question: by the model when one
/// is available, otherwise by a heuristic that joins the follow-up's content words to the previous question (retrieval
/// is bag-of-words, so the union of both questions' terms finds the right passages).
/// </summary>
public sealed class QueryRewriter(Kernel? kernel, PromptProvider prompts, TextAnalyzer analyzer)
{
    private const int HistoryMessagesInPrompt = 6;
    /// <summary>A question with this few content words ("وروسيا؟", "and Russia?") is elliptical even without a cue.</summary>
    private const int ShortFollowUpTerms = 2;

    private static readonly string[] s_cues =
    [
        "وماذا عن", "ماذا عن", "وما ذا عن", "وكيف عن", "وأيضا", "وأيضًا", "وكذلك",
        "and what about", "what about", "how about", "and how about", "and", "also", "what of",
    ];

    private static readonly string[] s_conjunctionQuestions = ["ومن", "وما", "وماذا", "ومتى", "وكيف", "وأين", "واين", "وهل", "ولماذا", "وكم", "وأي", "واي"];

    public async Task<string> RewriteAsync(string question, IReadOnlyList<ConversationMessage> history, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(history);
        var previous = history.LastOrDefault(m => m.Role == ConversationStore.User)?.Content;
        if (previous is null)
        {
            return question;
        }
        if (kernel is not null)
        {
            try
            {
                var result = await prompts.Function(PromptProvider.RewriteFollowUp).InvokeAsync(kernel, new KernelArguments
                {
                    ["history"] = FormatHistory(history),
                    ["question"] = question,
                }, cancellationToken);
                if (ModelQueryCheck.Accept(result.ToString(), LanguageDetector.Detect(question), question) is { } rewritten)
                {
                    return rewritten;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The model is optional here: fall back to the heuristic.
            }
        }
        return Heuristic(question, previous);
    }

    /// <summary>Joins a follow-up to the previous question when it looks elliptical (a cue phrase, or very few content words).</summary>
    public string Heuristic(string question, string previousQuestion)
    {
        ArgumentNullException.ThrowIfNull(question);
        var trimmed = question.Trim();
        var cue = s_cues.FirstOrDefault(c => trimmed.StartsWith(c + " ", StringComparison.OrdinalIgnoreCase));
        // "ومن/وما/ومتى/وكيف/وأين/وهل/ولماذا/وكم …" — a question opening with the conjunction و continues the previous one.
        var conjunctionQuestion = cue is null && s_conjunctionQuestions.Any(c => trimmed.StartsWith(c + " ", StringComparison.Ordinal));
        var contentTerms = analyzer.Terms(trimmed).Count;
        if (cue is null && !conjunctionQuestion && contentTerms > ShortFollowUpTerms)
        {
            return question;
        }
        var rest = cue is null ? trimmed : trimmed[cue.Length..].Trim();
        if (conjunctionQuestion)
        {
            rest = rest[1..]; // drop the conjunction; the question word stays
        }
        rest = rest.TrimEnd('?', '؟', '.', '!', ' ');
        if (rest.Length == 0)
        {
            return previousQuestion;
        }
        var language = LanguageDetector.Detect(previousQuestion);
        return language == Languages.Arabic
            ? $"{previousQuestion.TrimEnd('?', '؟', ' ')} — {rest}؟"
            : $"{previousQuestion.TrimEnd('?', ' ')} — {rest}?";
    }

    private static string FormatHistory(IReadOnlyList<ConversationMessage> history)
    {
        var sb = new StringBuilder();
        foreach (var m in history.TakeLast(HistoryMessagesInPrompt))
        {
            var content = m.Content.Length > 600 ? m.Content[..600] + "…" : m.Content;
            sb.Append(m.Role).Append(": ").Append(content.ReplaceLineEndings(" ")).Append('\n');
        }
        return sb.ToString().TrimEnd();
    }
}

/// <summary>Translates a question into the collection's other languages with the model, for cross-lingual retrieval.</summary>
public sealed class QueryTranslator(Kernel kernel, PromptProvider prompts)
{
    public async Task<IReadOnlyList<string>> TranslateAsync(string question, IEnumerable<string> targetLanguages, CancellationToken cancellationToken = default)
    {
        var tasks = targetLanguages.Select(async language =>
        {
            try
            {
                var result = await prompts.Function(PromptProvider.TranslateQuery).InvokeAsync(kernel, new KernelArguments
                {
                    ["question"] = question,
                    ["target_language"] = AnswerText.LanguageName(language),
                }, cancellationToken);
                return ModelQueryCheck.Accept(result.ToString(), language, question);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return null; // translation only widens retrieval; the original question still runs
            }
        });
        var results = await Task.WhenAll(tasks);
        return results.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r!).ToList();
    }
}

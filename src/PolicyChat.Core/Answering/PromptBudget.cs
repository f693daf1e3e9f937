using Microsoft.ML.Tokenizers;
using Microsoft.SemanticKernel;
using PolicyChat.Core.Chunking;

namespace PolicyChat.Core.Answering;

/// <summary>An answer prompt that fits the model's context: its arguments, the text the model receives and what was kept.</summary>
public sealed record FittedPrompt(string Function, KernelArguments Arguments, string Text, int Tokens, int PassagesSent, int HistoryMessagesSent);

/// <summary>
/// Fits the answer prompt into <c>Llm:ContextTokens</c> minus <c>Llm:MaxOutputTokens</c>, counting the rendered prompt
/// with the configured tokenizer. When it would not fit, the oldest history goes first, then the lowest-ranked passages
/// (one always stays), then the remaining passages are cut at sentence ends; the rules and the question are never cut.
/// </summary>
public sealed class PromptBudget(PromptProvider prompts, Tokenizer tokenizer, int contextTokens, int maxOutputTokens)
{
    /// <summary>Tokens between pieces (blank lines, the history header) that separate counting does not see.</summary>
    private const int JoinTokens = 2;

    public int Budget { get; } = contextTokens - maxOutputTokens;

    public Tokenizer Tokenizer { get; } = tokenizer;

    public int Count(string text) => Tokenizer.CountTokens(text);

    /// <param name="history">Earlier messages as "role: text" lines, oldest first.</param>
    public async Task<FittedPrompt> FitAsync(string function, IReadOnlyDictionary<string, string> values, IReadOnlyList<Passage> passages,
        IReadOnlyList<string> history, string historyHeader, PromptExecutionSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(passages);
        ArgumentNullException.ThrowIfNull(history);
        var kept = passages.ToList();
        var historyKept = history.ToList();
        var whole = Arguments(values, kept, historyKept, historyHeader, settings);
        var wholeText = await prompts.RenderAsync(function, whole, cancellationToken);
        var wholeTokens = Count(wholeText);
        if (wholeTokens <= Budget)
        {
            return new FittedPrompt(function, whole, wholeText, wholeTokens, kept.Count(p => p.Text.Length > 0), historyKept.Count);
        }
        var fixedCost = Count(await prompts.RenderAsync(function, Arguments(values, [], [], historyHeader, settings), cancellationToken));
        var passageCosts = kept.Select(p => Count(PromptProvider.FormatPassage(p)) + JoinTokens).ToList();
        var historyCosts = historyKept.Select(h => Count(h) + JoinTokens).ToList();
        var slack = 0;
        for (var attempt = 0; ; attempt++)
        {
            var room = Budget - fixedCost - slack;
            while (historyKept.Count > 0 && historyCosts.Sum() + passageCosts.Sum() > room)
            {
                historyKept.RemoveAt(0);
                historyCosts.RemoveAt(0);
            }
            while (kept.Count > 1 && historyCosts.Sum() + passageCosts.Sum() > room)
            {
                kept.RemoveAt(kept.Count - 1);
                passageCosts.RemoveAt(passageCosts.Count - 1);
            }
            for (var i = kept.Count - 1; i >= 0 && historyCosts.Sum() + passageCosts.Sum() > room; i--)
            {
                var allowed = room - historyCosts.Sum() - (passageCosts.Sum() - passageCosts[i]);
                kept[i] = Trim(kept[i], allowed - JoinTokens);
                passageCosts[i] = Count(PromptProvider.FormatPassage(kept[i])) + JoinTokens;
            }
            var arguments = Arguments(values, kept, historyKept, historyHeader, settings);
            var text = await prompts.RenderAsync(function, arguments, cancellationToken);
            var tokens = Count(text);
            if (tokens <= Budget || attempt == 3)
            {
                return new FittedPrompt(function, arguments, text, tokens, kept.Count(p => p.Text.Length > 0), historyKept.Count);
            }
            slack += tokens - Budget;
        }
    }

    /// <summary>The passage cut to at most <paramref name="tokens"/> (header included) at a sentence end; empty text when none fits.</summary>
    private Passage Trim(Passage passage, int tokens)
    {
        var header = Count(PromptProvider.FormatPassage(passage with { Text = "" }));
        var textTokens = tokens - header;
        if (textTokens <= 0)
        {
            return passage with { Text = "" };
        }
        var text = passage.Text.Trim();
        var limit = Tokenizer.GetIndexByTokenCount(text, textTokens, out _, out _);
        var sentences = new List<TextRange>();
        SentenceBoundaries.Split(text, 0, text.Length, sentences);
        var end = sentences.Where(s => s.End <= limit).Select(s => s.End).DefaultIfEmpty(0).Max();
        return passage with { Text = text[..end].TrimEnd() };
    }

    private static KernelArguments Arguments(IReadOnlyDictionary<string, string> values, IReadOnlyList<Passage> passages, IReadOnlyList<string> history, string historyHeader, PromptExecutionSettings? settings)
    {
        var arguments = settings is null ? new KernelArguments() : new KernelArguments(settings);
        foreach (var (key, value) in values)
        {
            arguments[key] = value;
        }
        arguments["passages"] = PromptProvider.FormatPassages([.. passages.Where(p => p.Text.Length > 0)]);
        arguments["history"] = history.Count == 0 ? "" : "\n" + historyHeader + "\n" + string.Join("\n", history) + "\n";
        return arguments;
    }
}

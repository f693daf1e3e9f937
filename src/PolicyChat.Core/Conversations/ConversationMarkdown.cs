using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PolicyChat.Core.Answering;

namespace PolicyChat.Core.Conversations;

/// <summary>
/// A conversation as Markdown: each question as a heading, each answer as written, with its [n] markers turned into
/// footnotes that name the source and quote it. Pure and deterministic (golden-tested).
/// </summary>
public static partial class ConversationMarkdown
{
    public static string Render(ConversationRecord conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var md = new StringBuilder();
        md.Append("# ").AppendLine(OneLine(conversation.Title)).AppendLine();
        md.Append('_').Append(conversation.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).AppendLine(" UTC_");
        foreach (var turn in conversation.Turns)
        {
            var label = $"q{turn.Index + 1}";
            md.AppendLine().Append("## ").AppendLine(OneLine(turn.Question)).AppendLine();
            var used = new SortedSet<int>();
            var answer = Marker().Replace(turn.Answer.Trim(), match =>
            {
                var numbers = match.Groups[1].Value.Split([',', '،'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(n => int.Parse(FoldDigits(n), CultureInfo.InvariantCulture))
                    .Distinct()
                    .Order()
                    .ToList();
                used.UnionWith(numbers);
                return string.Concat(numbers.Select(n => $"[^{label}-{n}]"));
            });
            md.AppendLine(answer);
            if (turn.Feedback is { } feedback)
            {
                md.AppendLine().Append("> Feedback: ").Append(feedback.Rating == TurnFeedback.Up ? "👍" : "👎");
                if (!string.IsNullOrWhiteSpace(feedback.Comment))
                {
                    md.Append(' ').Append(OneLine(feedback.Comment));
                }
                md.AppendLine();
            }
            if (used.Count > 0)
            {
                md.AppendLine();
                foreach (var n in used)
                {
                    md.Append("[^").Append(label).Append('-').Append(n).Append("]: ").AppendLine(Footnote(turn, n));
                }
            }
        }
        return md.ToString();
    }

    private static string Footnote(HistoryTurn turn, int number)
    {
        var citation = turn.Citations.FirstOrDefault(c => c.Marker == number);
        var passage = turn.Passages.FirstOrDefault(p => p.Number == number);
        var title = citation?.Title ?? passage?.Title;
        if (title is null)
        {
            return "(source not available)";
        }
        var parts = new List<string> { OneLine(title) };
        var outlet = citation?.Outlet ?? passage?.Outlet;
        var date = citation?.Date ?? passage?.Date;
        if (!string.IsNullOrWhiteSpace(outlet))
        {
            parts.Add(OneLine(outlet));
        }
        if (!string.IsNullOrWhiteSpace(date))
        {
            parts.Add(date);
        }
        var text = string.Join(", ", parts) + ".";
        var quote = citation?.Quote ?? passage?.Text;
        return string.IsNullOrWhiteSpace(quote) ? text : $"{text} “{OneLine(quote)}”";
    }

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string FoldDigits(string digits) => string.Concat(digits.Select(c => c switch
    {
        >= '\u0660' and <= '\u0669' => (char)('0' + (c - '\u0660')),
        >= '\u06F0' and <= '\u06F9' => (char)('0' + (c - '\u06F0')),
        _ => c,
    }));

    // Citation markers as the model writes them: [1], [1, 2], [١], [1،2].
    [GeneratedRegex(@"\[\s*([0-9\u0660-\u0669\u06F0-\u06F9]{1,3}(?:\s*[,،]\s*[0-9\u0660-\u0669\u06F0-\u06F9]{1,3})*)\s*\]")]
    private static partial Regex Marker();
}

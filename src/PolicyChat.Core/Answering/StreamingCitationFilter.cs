using System.Text;
using PolicyChat.Core.Answering.Citations;

namespace PolicyChat.Core.Answering;

/// <summary>
/// Sits between the model's token stream and the user: plain text passes through at once; a citation marker is held
/// back until it closes, then each number is checked (it must name a passage, and that passage must support the claim
/// before the marker) and only verified numbers are emitted, in canonical form [n]. Unverified markers never reach the user.
/// </summary>
public sealed class StreamingCitationFilter(IReadOnlyList<Passage> passages, CitationVerifier verifier, double threshold)
{
    private const int MaxMarkerLength = 32;

    private readonly StringBuilder _emitted = new();
    private readonly StringBuilder _pending = new();
    private readonly List<Citation> _citations = [];
    private readonly List<string> _unsupported = [];

    public string Text => _emitted.ToString();

    public IReadOnlyList<Citation> Citations => _citations;

    public IReadOnlyList<string> UnsupportedClaims => _unsupported;

    /// <summary>Feeds model output; returns the text that may be shown now (possibly empty).</summary>
    public string Push(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var output = new StringBuilder();
        foreach (var c in delta)
        {
            if (_pending.Length == 0)
            {
                if (IsOpen(c))
                {
                    _pending.Append(c);
                }
                else
                {
                    Emit(output, c.ToString());
                }
                continue;
            }
            if (IsOpen(c))
            {
                // "[[1]": the first bracket is text; only the innermost one can be a marker, and it must be verified.
                FlushPendingAsText(output);
                _pending.Append(c);
                continue;
            }
            _pending.Append(c);
            if (IsClose(c))
            {
                ResolvePending(output);
            }
            else if (c == '\n' || _pending.Length > MaxMarkerLength)
            {
                FlushPendingAsText(output);
            }
        }
        return output.ToString();
    }

    /// <summary>Ends the stream: an unclosed bracket is shown as text.</summary>
    public string Complete()
    {
        var output = new StringBuilder();
        FlushPendingAsText(output);
        return output.ToString();
    }

    private void ResolvePending(StringBuilder output)
    {
        var raw = _pending.ToString();
        var markers = CitationMarkerParser.Parse(raw);
        if (markers.Count != 1 || markers[0].Start != 0 || markers[0].End != raw.Length)
        {
            FlushPendingAsText(output);
            return;
        }
        _pending.Clear();
        var claim = ClaimBefore(_emitted.ToString());
        var kept = new List<int>();
        foreach (var number in markers[0].Numbers.Distinct())
        {
            if (number < 1 || number > passages.Count)
            {
                continue; // points at no passage
            }
            var passage = passages[number - 1];
            var support = verifier.Verify(claim, passage);
            if (support.Score >= threshold)
            {
                kept.Add(number);
                if (!_citations.Any(c => c.Marker == number && c.Start == support.Start))
                {
                    _citations.Add(new Citation(number, passage.DocumentId, passage.Title, passage.Outlet, passage.Date, passage.Language,
                        support.Quote, support.Start, support.End, Math.Round(support.Score, 3)) { Page = passage.Page });
                }
            }
            else if (claim.Length > 0 && !_unsupported.Contains(claim))
            {
                _unsupported.Add(claim);
            }
        }
        if (kept.Count > 0)
        {
            Emit(output, string.Concat(kept.Select(n => $"[{n}]")));
        }
    }

    private void FlushPendingAsText(StringBuilder output)
    {
        if (_pending.Length > 0)
        {
            var text = _pending.ToString();
            _pending.Clear();
            Emit(output, text);
        }
    }

    private void Emit(StringBuilder output, string text)
    {
        _emitted.Append(text);
        output.Append(text);
    }

    /// <summary>The sentence a marker at the end of <paramref name="text"/> cites: the last sentence, markers excluded.</summary>
    internal static string ClaimBefore(string text)
    {
        var t = text.TrimEnd();
        // Drop markers already emitted right before this one ("claim [1][2]").
        while (t.EndsWith(']'))
        {
            var open = t.LastIndexOf('[');
            if (open < 0)
            {
                break;
            }
            t = t[..open].TrimEnd();
        }
        for (var i = t.Length - 2; i >= 0; i--)
        {
            if (IsSentenceEnd(t[i]) && (char.IsWhiteSpace(t[i + 1]) || t[i] == '\n'))
            {
                return StripMarkers(t[(i + 1)..]).Trim();
            }
        }
        return StripMarkers(t).Trim();
    }

    private static string StripMarkers(string text)
    {
        var markers = CitationMarkerParser.Parse(text);
        if (markers.Count == 0)
        {
            return text;
        }
        var sb = new StringBuilder(text);
        foreach (var m in markers.OrderByDescending(m => m.Start))
        {
            sb.Remove(m.Start, m.End - m.Start);
        }
        return sb.ToString();
    }

    private static bool IsSentenceEnd(char c) => c is '.' or '!' or '?' or '؟' or '。' or '！' or '？' or '\n';

    private static bool IsOpen(char c) => c is '[' or '［' or '【';

    private static bool IsClose(char c) => c is ']' or '］' or '】';
}

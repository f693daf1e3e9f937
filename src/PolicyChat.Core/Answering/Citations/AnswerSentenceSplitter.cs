using PolicyChat.Core.Chunking;

namespace PolicyChat.Core.Answering.Citations;

/// <summary>A sentence of an answer: Text == answer[Start..End]; Markers are the citation markers inside it.</summary>
public sealed record AnswerSentence(int Start, int End, string Text, IReadOnlyList<CitationMarker> Markers)
{
    /// <summary>The distinct citation numbers of this sentence, in order of appearance.</summary>
    public IReadOnlyList<int> CitedNumbers => Markers.SelectMany(m => m.Numbers).Distinct().ToList();
}

/// <summary>
/// Splits a model answer into sentences with the same boundary rules as the chunker (<see cref="SentenceBoundaries"/>),
/// keeping citation markers with the sentence they support.
/// </summary>
/// <remarks>
/// "X is Y [1]." keeps its marker naturally; in "X is Y. [1] Z." the marker that opens the next sentence on the same
/// line moves back to the preceding one, giving "X is Y. [1]" and "Z.". A line that starts with a marker keeps it.
/// </remarks>
public static class AnswerSentenceSplitter
{
    /// <summary>Sentences of <paramref name="answer"/> with offsets, markers kept with the sentence they support.</summary>
    public static IReadOnlyList<AnswerSentence> Split(string answer) => Split(answer, CitationMarkerParser.DefaultMaxNumber);

    /// <inheritdoc cref="Split(string)"/>
    /// <param name="maxNumber">Brackets with a number above this are not markers (see <see cref="CitationMarkerParser.Parse"/>).</param>
    public static IReadOnlyList<AnswerSentence> Split(string answer, int maxNumber)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var ranges = new List<TextRange>();
        SentenceBoundaries.Split(answer, 0, answer.Length, ranges);
        var markers = CitationMarkerParser.Parse(answer, maxNumber);
        if (markers.Count > 0)
        {
            MoveLeadingMarkersBack(answer, ranges, markers);
        }
        var sentences = new List<AnswerSentence>(ranges.Count);
        var markerIndex = 0;
        foreach (var range in ranges)
        {
            while (markerIndex < markers.Count && markers[markerIndex].Start < range.Start)
            {
                markerIndex++;
            }
            var inside = new List<CitationMarker>();
            while (markerIndex < markers.Count && markers[markerIndex].End <= range.End)
            {
                inside.Add(markers[markerIndex]);
                markerIndex++;
            }
            sentences.Add(new AnswerSentence(range.Start, range.End, answer[range.Start..range.End], inside));
        }
        return sentences;
    }

    private static void MoveLeadingMarkersBack(string answer, List<TextRange> ranges, IReadOnlyList<CitationMarker> markers)
    {
        var byStart = new Dictionary<int, CitationMarker>(markers.Count);
        foreach (var marker in markers)
        {
            byStart[marker.Start] = marker;
        }
        for (var k = 1; k < ranges.Count; k++)
        {
            var previous = ranges[k - 1];
            var current = ranges[k];
            if (SpanHasLineBreak(answer, previous.End, current.Start))
            {
                continue;
            }
            var start = current.Start;
            var movedTo = -1;
            while (start < current.End && byStart.TryGetValue(start, out var marker) && marker.End <= current.End)
            {
                movedTo = marker.End;
                start = marker.End;
                while (start < current.End && SentenceBoundaries.IsSpace(answer[start]))
                {
                    start++;
                }
            }
            if (movedTo < 0)
            {
                continue;
            }
            ranges[k - 1] = previous with { End = movedTo };
            if (start >= current.End)
            {
                ranges.RemoveAt(k);
                k--;
            }
            else
            {
                ranges[k] = current with { Start = start };
            }
        }
    }

    private static bool SpanHasLineBreak(string text, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if (SentenceBoundaries.IsLineBreak(text[i]))
            {
                return true;
            }
        }
        return false;
    }
}

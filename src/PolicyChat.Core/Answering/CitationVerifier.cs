using PolicyChat.Core.Chunking;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Answering;

/// <summary>How well a passage supports a claim, and the passage sentence that supports it best.</summary>
public sealed record Support(double Score, string Quote, int Start, int End);

/// <summary>
/// Checks a cited claim against its passage with the analyzer: the support score is the share of the claim's distinct
/// analyzed terms found in the best-matching passage sentence (or pair of adjacent sentences, for claims that merge
/// two). The quote is that sentence, with offsets into the original document. Claims in another language than the
/// passage can only be matched on language-neutral terms (numbers, Latin-script names).
/// </summary>
public sealed class CitationVerifier(TextAnalyzer analyzer)
{
    public Support Verify(string claim, Passage passage)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(passage);
        var claimTerms = analyzer.Terms(claim).Distinct(StringComparer.Ordinal).ToList();
        var claimLanguage = LanguageDetector.Detect(claim);
        var sentences = SentenceBoundaries.Split(passage.Text);
        if (claimLanguage != passage.Language && claimLanguage != Languages.Other && passage.Language != Languages.Other)
        {
            // Across languages only language-neutral terms can be checked: numbers, and Latin-script names that the
            // passage itself contains (DeepSeek, Xi Jinping in an Arabic article). The support score is the share of
            // those the best sentence holds; a claim with none of them cannot be verified (score 0).
            var passageTerms = new HashSet<string>(analyzer.Terms(passage.Text), StringComparer.Ordinal);
            claimTerms = claimTerms.Where(t => t.All(char.IsAsciiDigit) || (IsLatin(t) && passageTerms.Contains(t))).ToList();
        }
        if (sentences.Count == 0)
        {
            return new Support(0, "", passage.Start, passage.Start);
        }
        var sentenceTerms = sentences.Select(s => new HashSet<string>(analyzer.Terms(passage.Text[s.Start..s.End]), StringComparer.Ordinal)).ToList();
        var best = (Score: -1.0, First: 0, Last: 0);
        for (var i = 0; i < sentences.Count; i++)
        {
            var single = Overlap(claimTerms, sentenceTerms[i], null);
            if (single > best.Score)
            {
                best = (single, i, i);
            }
            var pair = i + 1 < sentences.Count ? Overlap(claimTerms, sentenceTerms[i], sentenceTerms[i + 1]) * 0.95 : 0;
            if (pair > best.Score)
            {
                best = (pair, i, i + 1);
            }
        }
        var (start, end) = (sentences[best.First].Start, sentences[best.Last].End);
        return new Support(claimTerms.Count == 0 ? 0 : best.Score, passage.Text[start..end], passage.Start + start, passage.Start + end);
    }

    private static double Overlap(List<string> claim, HashSet<string> a, HashSet<string>? b)
    {
        if (claim.Count == 0)
        {
            return 0;
        }
        var hits = claim.Count(t => a.Contains(t) || (b is not null && b.Contains(t)));
        return hits / (double)claim.Count;
    }

    private static bool IsLatin(string term) => term.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetter(c));
}

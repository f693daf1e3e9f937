namespace PolicyChat.Core.Retrieval;

/// <summary>
/// Fusion of ranked lists: weighted reciprocal rank (Cormack et al., 2009), score(d) = Σ weight_leg / (k + rank_leg(d)),
/// or weighted max-normalized score sum (CombSUM), score(d) = Σ weight_leg · score_leg(d) / max score_leg.
/// </summary>
public static class RankFusion
{
    /// <summary>One ranked list of keys, best first, with the leg's weight.</summary>
    public readonly record struct Leg<TKey>(double Weight, IReadOnlyList<TKey> Ranked);

    /// <summary>Fuses ranked lists; ties keep the order in which keys were first seen (earlier legs first).</summary>
    public static List<(TKey Key, double Score)> Fuse<TKey>(IReadOnlyList<Leg<TKey>> legs, int k = 60, int? limit = null)
        where TKey : notnull
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var scores = new Dictionary<TKey, (double Score, int FirstSeen)>();
        var seen = 0;
        foreach (var leg in legs)
        {
            if (leg.Weight <= 0)
            {
                continue;
            }
            for (var i = 0; i < leg.Ranked.Count; i++)
            {
                var key = leg.Ranked[i];
                var add = leg.Weight / (k + i + 1);
                scores[key] = scores.TryGetValue(key, out var s) ? (s.Score + add, s.FirstSeen) : (add, seen++);
            }
        }
        var fused = scores
            .OrderByDescending(p => p.Value.Score)
            .ThenBy(p => p.Value.FirstSeen)
            .Select(p => (p.Key, p.Value.Score));
        return (limit is { } l ? fused.Take(l) : fused).ToList();
    }

    /// <summary>One leg's hits with their scores (higher is better), best first, and the leg's weight.</summary>
    public readonly record struct ScoredLeg<TKey>(double Weight, IReadOnlyList<(TKey Key, double Score)> Hits);

    /// <summary>
    /// Weighted CombSUM of max-normalized scores: each leg's scores are divided by its best score, so a leg contributes
    /// at most its weight and a passage far ahead within its leg keeps that lead (reciprocal rank flattens it).
    /// Ties keep the order in which keys were first seen.
    /// </summary>
    public static List<(TKey Key, double Score)> FuseScores<TKey>(IReadOnlyList<ScoredLeg<TKey>> legs, int? limit = null)
        where TKey : notnull
    {
        var scores = new Dictionary<TKey, (double Score, int FirstSeen)>();
        var seen = 0;
        foreach (var leg in legs)
        {
            if (leg.Weight <= 0 || leg.Hits.Count == 0)
            {
                continue;
            }
            var best = leg.Hits.Max(h => h.Score);
            if (!(best > 0))
            {
                continue; // no positive evidence in this leg
            }
            foreach (var (key, score) in leg.Hits)
            {
                var add = leg.Weight * Math.Max(0, score) / best;
                scores[key] = scores.TryGetValue(key, out var s) ? (s.Score + add, s.FirstSeen) : (add, seen++);
            }
        }
        var fused = scores
            .OrderByDescending(p => p.Value.Score)
            .ThenBy(p => p.Value.FirstSeen)
            .Select(p => (p.Key, p.Value.Score));
        return (limit is { } l ? fused.Take(l) : fused).ToList();
    }
}

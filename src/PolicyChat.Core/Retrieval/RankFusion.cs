namespace PolicyChat.Core.Retrieval;

/// <summary>Weighted reciprocal-rank fusion (Cormack et al., 2009): score(d) = Σ weight_leg / (k + rank_leg(d)).</summary>
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
}

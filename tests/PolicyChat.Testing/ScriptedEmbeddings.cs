using System.Globalization;
using System.Text;

namespace PolicyChat.Testing;

/// <summary>
/// Deterministic embeddings: a hashed bag of lower-cased words (letters and digits, any script), L2-normalized.
/// Texts sharing words get a positive cosine; identical texts get identical vectors. Tests can call
/// <see cref="Embed"/> to know what the server will answer.
/// </summary>
public static class ScriptedEmbeddings
{
    public static float[] Embed(string text, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        var vector = new float[dimensions];
        foreach (var word in Words(text))
        {
            var hash = Fnv1a(word);
            var slot = (int)(hash % (uint)dimensions);
            vector[slot] += (hash & 0x8000_0000u) == 0 ? 1f : -1f;
        }

        double norm = 0;
        foreach (var x in vector)
        {
            norm += x * x;
        }
        if (norm == 0)
        {
            vector[0] = 1f;
            return vector;
        }
        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }
        return vector;
    }

    private static IEnumerable<string> Words(string text)
    {
        var current = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLower(c, CultureInfo.InvariantCulture));
            }
            else if (current.Length > 0)
            {
                yield return current.ToString();
                current.Clear();
            }
        }
        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    private static uint Fnv1a(string word)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(word))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return hash;
    }
}

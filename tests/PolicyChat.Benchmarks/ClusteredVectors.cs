namespace PolicyChat.Benchmarks;

/// <summary>
/// Synthetic embeddings with the shape of real ones (fixed seed): every vector shares a common direction (embeddings
/// are anisotropic), belongs to one of N/100 topic clusters, and has its own noise; a query is a perturbed copy of one
/// stored vector, so it has a few close neighbours and many distant ones, as a question has. Uniform random vectors
/// would make every neighbour equally far and any recall figure meaningless.
/// </summary>
internal sealed class ClusteredVectors(int dims, int count, int seed = 11)
{
    private readonly Random _random = new(seed);
    private readonly float[] _common = Unit(dims, new Random(seed + 1));
    private readonly float[][] _centres = Enumerable.Range(0, Math.Max(1, count / 100)).Select(i => Unit(dims, new Random(seed + 2 + i))).ToArray();

    public int Dimensions => dims;

    /// <summary>Stored vector number <paramref name="index"/> (deterministic).</summary>
    public float[] Stored(int index)
    {
        var random = new Random(HashCode.Combine(seed, index));
        var centre = _centres[index % _centres.Length];
        var noise = Unit(dims, random);
        var v = new float[dims];
        for (var j = 0; j < dims; j++)
        {
            v[j] = (0.6f * _common[j]) + (0.8f * centre[j]) + (0.7f * noise[j]);
        }
        return v;
    }

    /// <summary>A query near a random stored vector.</summary>
    public float[] Query()
    {
        var near = Stored(_random.Next(count));
        var noise = Unit(dims, _random);
        for (var j = 0; j < dims; j++)
        {
            near[j] += 0.6f * noise[j] * Norm(near);
        }
        return near;
    }

    private static float Norm(float[] v) => System.Numerics.Tensors.TensorPrimitives.Norm(v);

    private static float[] Unit(int dims, Random random)
    {
        var v = new float[dims];
        for (var j = 0; j < dims; j++)
        {
            // Box–Muller: Gaussian components give directions uniform on the sphere.
            v[j] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
        var norm = Norm(v);
        for (var j = 0; j < dims; j++)
        {
            v[j] /= norm;
        }
        return v;
    }
}

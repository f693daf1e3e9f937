using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>
/// Dot product of two int8 vectors with an int32 sum, SIMD (TensorPrimitives has no widening int8 dot: its Dot sums in
/// the element type). AVX2: 32 products per step with vpmaddwd; elsewhere portable 128-bit vectors; a scalar tail.
/// </summary>
internal static class Int8Dot
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Dot(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("The vectors differ in length.", nameof(b));
        }
        ref var pa = ref MemoryMarshal.GetReference(a);
        ref var pb = ref MemoryMarshal.GetReference(b);
        var i = 0;
        var sum = 0;
        if (Avx2.IsSupported && a.Length >= 32)
        {
            var acc = Vector256<int>.Zero;
            for (; i <= a.Length - 32; i += 32)
            {
                var (alo, ahi) = Vector256.Widen(Vector256.LoadUnsafe(ref pa, (nuint)i));
                var (blo, bhi) = Vector256.Widen(Vector256.LoadUnsafe(ref pb, (nuint)i));
                acc = Avx2.Add(acc, Avx2.Add(Avx2.MultiplyAddAdjacent(alo, blo), Avx2.MultiplyAddAdjacent(ahi, bhi)));
            }
            sum = Vector256.Sum(acc);
        }
        else if (Vector128.IsHardwareAccelerated && a.Length >= 16)
        {
            var acc = Vector128<int>.Zero;
            for (; i <= a.Length - 16; i += 16)
            {
                var (alo, ahi) = Vector128.Widen(Vector128.LoadUnsafe(ref pa, (nuint)i));
                var (blo, bhi) = Vector128.Widen(Vector128.LoadUnsafe(ref pb, (nuint)i));
                acc += Products(alo, blo) + Products(ahi, bhi);
            }
            sum = Vector128.Sum(acc);
        }
        for (; i < a.Length; i++)
        {
            sum += Unsafe.Add(ref pa, i) * Unsafe.Add(ref pb, i);
        }
        return sum;
    }

    private static Vector128<int> Products(Vector128<short> a, Vector128<short> b)
    {
        var (alo, ahi) = Vector128.Widen(a);
        var (blo, bhi) = Vector128.Widen(b);
        return (alo * blo) + (ahi * bhi);
    }
}

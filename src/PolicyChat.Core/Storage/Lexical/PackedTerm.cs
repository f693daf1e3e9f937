using System.Runtime.CompilerServices;

namespace PolicyChat.Core.Storage.Lexical;

/// <summary>
/// A term of one to four UTF-16 characters, none of them NUL, packed into 64 bits (character i in bits 16i … 16i + 15,
/// unused characters 0), then mixed by a bijection so the dictionary's hash of it spreads well: n-grams are looked up
/// by value, with no string per occurrence and no string comparison.
/// </summary>
internal static class PackedTerm
{
    public const int MaxLength = 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryPack(ReadOnlySpan<char> term, out ulong key)
    {
        key = 0;
        if ((uint)(term.Length - 1) >= MaxLength)
        {
            return false;
        }
        ulong packed = 0;
        for (var i = term.Length - 1; i >= 0; i--)
        {
            var c = term[i];
            if (c == '\0')
            {
                return false; // "a\0" and "a" would pack alike
            }
            packed = (packed << 16) | c;
        }
        key = Mix(packed);
        return true;
    }

    /// <summary>MurmurHash3's 64-bit finalizer: xor-shifts and odd multiplications, each invertible, so distinct terms keep distinct keys.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        x *= 0xC4CEB9FE1A85EC53UL;
        x ^= x >> 33;
        return x;
    }
}

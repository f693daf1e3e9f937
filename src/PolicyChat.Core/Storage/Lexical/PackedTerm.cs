using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PolicyChat.Core.Storage.Lexical;

/// <summary>
/// A term of one to four UTF-16 characters, none of them NUL, packed into 64 bits (character i in bits 16i … 16i + 15,
/// unused characters 0: the layout of a little-endian read), then mixed by a bijection so the dictionary's hash of it
/// spreads well: n-grams are looked up by value, with no string per occurrence and no string comparison.
/// </summary>
internal static class PackedTerm
{
    public const int MaxLength = 4;

    /// <summary>Packs <paramref name="term"/> (not yet mixed: see <see cref="Key"/>), or returns false when it does not fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryPack(ReadOnlySpan<char> term, out ulong packed)
    {
        switch (term.Length)
        {
            case 4:
                packed = MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(term));
                break;
            case 3:
                packed = MemoryMarshal.Read<uint>(MemoryMarshal.AsBytes(term)) | ((ulong)term[2] << 32);
                break;
            case 2:
                packed = MemoryMarshal.Read<uint>(MemoryMarshal.AsBytes(term));
                break;
            case 1:
                packed = term[0];
                break;
            default:
                packed = 0;
                return false;
        }
        if (!BitConverter.IsLittleEndian || HasNul(packed, term.Length))
        {
            packed = 0;
            return false; // "a\0" and "a" would pack alike (and a big-endian read would order the characters differently)
        }
        return true;
    }

    /// <summary>The dictionary key of a packed term: its bits mixed, so the dictionary's hash of it spreads well.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Key(ulong packed) => Mix(packed);

    /// <summary>The term a packed value holds (its characters up to the first unused one).</summary>
    public static string ToString(ulong packed)
    {
        Span<char> chars = stackalloc char[MaxLength];
        var length = 0;
        for (; length < MaxLength && packed != 0; length++, packed >>= 16)
        {
            chars[length] = (char)(packed & 0xFFFF);
        }
        return new string(chars[..length]);
    }

    /// <summary>Whether one of the first <paramref name="length"/> 16-bit lanes of <paramref name="packed"/> is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HasNul(ulong packed, int length)
    {
        var lanes = ulong.MaxValue >> (64 - (16 * length));
        var filled = packed | ~lanes; // unused lanes count as non-zero
        return ((filled - 0x0001000100010001UL) & ~filled & 0x8000800080008000UL) != 0;
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

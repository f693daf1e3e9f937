using System.Runtime.CompilerServices;

namespace PolicyChat.Core.Storage.Lexical;

/// <summary>
/// In-memory term ids of packed terms (<see cref="PackedTerm"/>): an open-addressing table with linear probing, key and
/// id side by side in one slot, so a lookup reads one cache line where a <see cref="Dictionary{TKey, TValue}"/> reads a
/// bucket, then an entry. Keys are <see cref="PackedTerm.Key"/>s: already mixed (their low bits index the table
/// directly) and never 0 (a bijection of a non-zero packed term), so 0 marks an empty slot. Grows at half full; never
/// shrinks (a new table replaces it when the in-memory part is emptied).
/// </summary>
internal sealed class PackedTermTable
{
    private Slot[] _slots = new Slot[1024];
    private int _mask = 1023;
    private int _count;

    public int Count => _count;

    /// <summary>The id of <paramref name="key"/>, or −1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ulong key)
    {
        var slots = _slots;
        var mask = _mask;
        for (var i = (int)key & mask; ; i = (i + 1) & mask)
        {
            ref var slot = ref slots[i];
            if (slot.Key == key)
            {
                return slot.Id;
            }
            if (slot.Key == 0)
            {
                return -1;
            }
        }
    }

    /// <summary>The id slot of <paramref name="key"/>, added (id 0, for the caller to set) when absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref int FindOrAdd(ulong key, out bool exists)
    {
        if (_count * 2 >= _slots.Length)
        {
            Grow();
        }
        var slots = _slots;
        var mask = _mask;
        for (var i = (int)key & mask; ; i = (i + 1) & mask)
        {
            ref var slot = ref slots[i];
            if (slot.Key == key)
            {
                exists = true;
                return ref slot.Id;
            }
            if (slot.Key == 0)
            {
                slot.Key = key;
                _count++;
                exists = false;
                return ref slot.Id;
            }
        }
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new Slot[old.Length * 2];
        _mask = _slots.Length - 1;
        foreach (var slot in old)
        {
            if (slot.Key != 0)
            {
                var i = (int)slot.Key & _mask;
                while (_slots[i].Key != 0)
                {
                    i = (i + 1) & _mask;
                }
                _slots[i] = slot;
            }
        }
    }

    private struct Slot
    {
        public ulong Key;
        public int Id;
    }
}

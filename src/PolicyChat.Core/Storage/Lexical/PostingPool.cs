using System.Numerics;

namespace PolicyChat.Core.Storage.Lexical;

/// <summary>
/// Posting lists of the in-memory terms, kept in large shared pages instead of one array per term: a term's list is
/// one contiguous slot (page, offset, capacity). Slots come in power-of-two capacities from 4 bytes (exact ones when a pool is rebuilt); a list that
/// outgrows its slot moves to one twice as large and the old slot goes to a free list of its size, reused by the next
/// term that needs one. A slot larger than a page gets a page of its own. The garbage collector sees a few hundred
/// large arrays rather than one small array per term.
/// </summary>
internal sealed class PostingPool
{
    public const int MinCapacity = 4;

    // 256 KiB: on the large object heap, so the pages are never copied by the collector.
    private const int PageSize = 1 << 18;

    private readonly List<byte[]?> _pages = [];
    private readonly List<long>[] _free = new List<long>[32];
    private int _current = -1;
    private int _bump = PageSize;

    public byte[] Page(int page) => _pages[page]!;

    /// <summary>The first <paramref name="used"/> bytes of a slot.</summary>
    public Span<byte> Data(int page, int offset, int used) => _pages[page].AsSpan(offset, used);

    /// <summary>
    /// A slot of at least <paramref name="capacity"/> bytes: the next power of two, or exactly <paramref name="capacity"/>
    /// when <paramref name="exact"/> (a list that will not grow soon). Its capacity comes back.
    /// </summary>
    public void Allocate(int capacity, bool exact, out int page, out int offset, out int slotCapacity)
    {
        slotCapacity = exact ? Math.Max(1, capacity) : Math.Max(MinCapacity, (int)BitOperations.RoundUpToPowerOf2((uint)capacity));
        if (slotCapacity > PageSize)
        {
            page = _pages.Count;
            offset = 0;
            _pages.Add(GC.AllocateUninitializedArray<byte>(slotCapacity));
            return;
        }
        var free = exact ? null : _free[BitOperations.Log2((uint)slotCapacity)];
        if (free is { Count: > 0 })
        {
            var slot = free[^1];
            free.RemoveAt(free.Count - 1);
            page = (int)(slot >> 32);
            offset = (int)slot;
            return;
        }
        if (PageSize - _bump < slotCapacity)
        {
            _current = _pages.Count;
            _pages.Add(GC.AllocateUninitializedArray<byte>(PageSize));
            _bump = 0;
        }
        page = _current;
        offset = _bump;
        _bump += slotCapacity;
    }

    /// <summary>Moves a list of <paramref name="used"/> bytes to a slot with room for <paramref name="needed"/> more.</summary>
    public void Grow(ref int page, ref int offset, ref int capacity, int used, int needed)
    {
        Allocate(Math.Max(capacity * 2, used + needed), exact: false, out var newPage, out var newOffset, out var newCapacity);
        _pages[page].AsSpan(offset, used).CopyTo(_pages[newPage].AsSpan(newOffset));
        Release(page, offset, capacity);
        page = newPage;
        offset = newOffset;
        capacity = newCapacity;
    }

    /// <summary>Gives a slot back: a shared-page slot to the free list of its size, a page of its own to the collector.</summary>
    public void Release(int page, int offset, int capacity)
    {
        if (capacity > PageSize)
        {
            _pages[page] = null;
            return;
        }
        if (capacity < MinCapacity)
        {
            return; // too small to serve any request
        }
        var sizeClass = BitOperations.Log2((uint)capacity); // a slot serves the largest power of two it holds
        (_free[sizeClass] ??= []).Add(((long)page << 32) | (uint)offset);
    }
}

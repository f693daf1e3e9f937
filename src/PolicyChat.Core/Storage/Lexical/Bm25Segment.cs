using System.Text;

namespace PolicyChat.Core.Storage.Lexical;

/// <summary>Where one leg's arrays lie in an index file (byte offsets; counts of elements).</summary>
public readonly record struct Bm25SegmentLayout(
    int TermCount, int DocCount, int LiveDocs, long TotalLength, long PostingCount,
    long KeyOffsets, long Keys, long Dfs, long PostingOffsets, long Postings, long DocLengths, long DocTerms);

/// <summary>
/// An immutable BM25 leg read from a memory-mapped file: terms sorted by their UTF-8 bytes (found by binary search),
/// each with its document frequency and its postings (varint document gap, term frequency, as in memory); per document
/// its length + 1 (0 = absent) and its distinct terms. Nothing is copied into managed memory but what a caller asks for.
/// </summary>
public sealed class Bm25Segment
{
    private readonly MappedFile _file;
    private readonly Bm25SegmentLayout _layout;

    public Bm25Segment(MappedFile file, Bm25SegmentLayout layout)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
        _layout = layout;
        // Touch the ends of every array now, so a layout pointing outside the file fails at open, not mid-search.
        _ = KeyOffsets;
        _ = _file.Array<int>(layout.Dfs, layout.TermCount);
        _ = PostingOffsets;
        _ = _file.Array<int>(layout.DocLengths, layout.DocCount);
        _ = _file.Array<int>(layout.DocTerms, layout.DocCount);
    }

    public Bm25SegmentLayout Layout => _layout;

    public int TermCount => _layout.TermCount;

    public int DocCount => _layout.DocCount;

    private ReadOnlySpan<long> KeyOffsets => _file.Array<long>(_layout.KeyOffsets, (long)_layout.TermCount + 1);

    private ReadOnlySpan<long> PostingOffsets => _file.Array<long>(_layout.PostingOffsets, (long)_layout.TermCount + 1);

    public ReadOnlySpan<int> DocLengths => _file.Array<int>(_layout.DocLengths, _layout.DocCount);

    public ReadOnlySpan<int> DocTermCounts => _file.Array<int>(_layout.DocTerms, _layout.DocCount);

    public int Df(int term) => _file.Read<int>(_layout.Dfs + (term * (long)sizeof(int)));

    public ReadOnlySpan<byte> Postings(int term)
    {
        var offsets = PostingOffsets;
        return _file.Bytes(_layout.Postings + offsets[term], offsets[term + 1] - offsets[term]);
    }

    public ReadOnlySpan<byte> Key(int term)
    {
        var offsets = KeyOffsets;
        return _file.Bytes(_layout.Keys + offsets[term], offsets[term + 1] - offsets[term]);
    }

    public string Term(int term) => Encoding.UTF8.GetString(Key(term));

    /// <summary>The term's index, or -1.</summary>
    public int Find(ReadOnlySpan<char> term)
    {
        if (TermCount == 0 || term.IsEmpty)
        {
            return -1;
        }
        var max = Encoding.UTF8.GetMaxByteCount(term.Length);
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        var key = buffer[..Encoding.UTF8.GetBytes(term, buffer)];
        int lo = 0, hi = TermCount - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var cmp = Key(mid).SequenceCompareTo(key);
            if (cmp == 0)
            {
                return mid;
            }
            if (cmp < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return -1;
    }
}

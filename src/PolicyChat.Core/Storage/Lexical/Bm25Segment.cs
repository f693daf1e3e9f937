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
/// <para>
/// A segment holds documents <see cref="FirstDoc"/> … <see cref="FirstDoc"/> + <see cref="DocCount"/> − 1 (its postings
/// number them from 0). Its document frequencies, live documents and total length are the changes it brings to the
/// segments before it: a later segment may remove earlier documents, so a term's frequency there can be negative and the
/// term may have no postings.
/// </para>
/// </summary>
public sealed class Bm25Segment
{
    private readonly MappedFile _file;
    private readonly Bm25SegmentLayout _layout;

    public Bm25Segment(MappedFile file, Bm25SegmentLayout layout, int firstDoc = 0)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(firstDoc);
        _file = file;
        _layout = layout;
        FirstDoc = firstDoc;
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

    /// <summary>The index-wide id of this segment's first document.</summary>
    public int FirstDoc { get; }

    /// <summary>One past the index-wide id of this segment's last document.</summary>
    public int EndDoc => FirstDoc + DocCount;

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
        return Find(buffer[..Encoding.UTF8.GetBytes(term, buffer)]);
    }

    /// <summary>The index of the term whose UTF-8 bytes are <paramref name="key"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> key)
    {
        if (TermCount == 0 || key.IsEmpty)
        {
            return -1;
        }
        var offsets = KeyOffsets;
        var keys = _file.Bytes(_layout.Keys, offsets[TermCount]);
        int lo = 0, hi = TermCount - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var cmp = keys[(int)offsets[mid]..(int)offsets[mid + 1]].SequenceCompareTo(key);
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

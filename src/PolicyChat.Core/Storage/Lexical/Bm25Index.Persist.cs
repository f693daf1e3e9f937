using System.Text;

namespace PolicyChat.Core.Storage.Lexical;

public sealed partial class Bm25Index
{
    /// <summary>
    /// Writes the in-memory part (the changes since the last segment) as one leg of a new segment: the documents added
    /// since (numbered from the segment's first document, removed ones with length 0), and per term its postings and the
    /// change to its document frequency. The deletion marks are <see cref="RemovedSegmentDocuments"/>, written by the
    /// caller. Takes the read lock; the caller keeps writers out until <see cref="AppendSegment"/>.
    /// </summary>
    public Bm25SegmentLayout WriteChanges(IndexFileWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _lock.EnterReadLock();
        try
        {
            var terms = new List<(byte[] Key, int Id)>(_termCount);
            foreach (var (term, id) in InMemoryTerms())
            {
                terms.Add((Encoding.UTF8.GetBytes(term), id));
            }
            terms.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
            var builder = new Bm25SegmentBuilder(writer);
            var buffer = new byte[1024];
            foreach (var (key, id) in terms)
            {
                var used = 0;
                var last = -1;
                var count = 0;
                ref readonly var term = ref _terms[id];
                var data = PostingsOf(id);
                count += AppendLivePostings(data, -1, _docLength, _segmentEnd, ref buffer, ref used, ref last);
                if (count > 0 || term.Df != 0)
                {
                    builder.Add(key, buffer.AsSpan(0, used), count, term.Df);
                }
            }
            var docs = _maxDoc + 1 - _segmentEnd;
            return builder.Finish(_docLength.AsSpan(_segmentEnd, docs), _docTerms.AsSpan(_segmentEnd, docs),
                _liveDocs - _segmentLiveDocs, _totalLength - _segmentTotalLength);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Stands the index on <paramref name="segment"/>, just written by <see cref="WriteChanges"/> (no change since), and
    /// empties the in-memory part it now holds.
    /// </summary>
    public void AppendSegment(Bm25Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        _lock.EnterWriteLock();
        try
        {
            if (segment.FirstDoc != _segmentEnd || segment.EndDoc != _maxDoc + 1)
            {
                throw new InvalidOperationException(
                    $"The segment holds documents {segment.FirstDoc} … {segment.EndDoc - 1}, not the in-memory ones ({_segmentEnd} … {_maxDoc}).");
            }
            _segments = [.. _segments, segment];
            _packedIds = new PackedTermTable();
            _termIds = new Dictionary<string, int>(StringComparer.Ordinal);
            _lookup = _termIds.GetAlternateLookup<ReadOnlySpan<char>>();
            _terms = new TermState[256];
            _termCount = 0;
            _postings = new PostingPool();
            _postingCount = 0;
            _stalePostings = 0;
            _segmentLiveDocs = _liveDocs;
            _segmentTotalLength = _totalLength;
            _segmentEnd = segment.EndDoc;
            _removedSegmentDocs = [];
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Replaces <paramref name="count"/> segments from the <paramref name="start"/>th by <paramref name="merged"/>, their
    /// merge (<see cref="MergeSegments"/>): the same documents and statistics, fewer files.
    /// </summary>
    public void ReplaceSegments(int start, int count, Bm25Segment merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        _lock.EnterWriteLock();
        try
        {
            if (start < 0 || count < 1 || start + count > _segments.Length
                || merged.FirstDoc != _segments[start].FirstDoc || merged.EndDoc != _segments[start + count - 1].EndDoc)
            {
                throw new InvalidOperationException($"The merged segment (documents {merged.FirstDoc} … {merged.EndDoc - 1}) does not replace segments {start} … {start + count - 1}.");
            }
            _segments = [.. _segments[..start], merged, .. _segments[(start + count)..]];
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Writes <paramref name="segments"/> (consecutive) as one leg of a single segment over the same documents, with the
    /// deletion marks they hold for those documents (<paramref name="dead"/>) applied: dead documents keep their ids but
    /// lose their postings and length. Per term the document frequency stays the sum of the segments' changes (marks for
    /// earlier documents stay with the merged segment). Reads only the segments, so it runs beside searches and writers.
    /// </summary>
    public static Bm25SegmentLayout MergeSegments(IndexFileWriter writer, IReadOnlyList<Bm25Segment> segments, IReadOnlySet<int> dead)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(dead);
        var first = segments.Count == 0 ? 0 : segments[0].FirstDoc;
        var count = segments.Count == 0 ? 0 : segments[^1].EndDoc - first;
        var lengths = new int[count];
        var termCounts = new int[count];
        long live = 0;
        long total = 0;
        foreach (var segment in segments)
        {
            segment.DocLengths.CopyTo(lengths.AsSpan(segment.FirstDoc - first));
            segment.DocTermCounts.CopyTo(termCounts.AsSpan(segment.FirstDoc - first));
            live += segment.Layout.LiveDocs;
            total += segment.Layout.TotalLength;
        }
        foreach (var doc in dead)
        {
            if (doc >= first && doc < first + count)
            {
                lengths[doc - first] = 0;
                termCounts[doc - first] = 0;
            }
        }

        var builder = new Bm25SegmentBuilder(writer);
        var cursors = new int[segments.Count];
        var buffer = new byte[1024];
        var from = new bool[segments.Count];
        while (true)
        {
            var smallest = -1;
            for (var s = 0; s < segments.Count; s++)
            {
                if (cursors[s] < segments[s].TermCount
                    && (smallest < 0 || segments[s].Key(cursors[s]).SequenceCompareTo(segments[smallest].Key(cursors[smallest])) < 0))
                {
                    smallest = s;
                }
            }
            if (smallest < 0)
            {
                break;
            }
            var key = segments[smallest].Key(cursors[smallest]);
            var used = 0;
            var last = -1;
            var df = 0;
            var postings = 0;
            for (var s = 0; s < segments.Count; s++)
            {
                from[s] = cursors[s] < segments[s].TermCount && segments[s].Key(cursors[s]).SequenceEqual(key);
                if (!from[s])
                {
                    continue;
                }
                df += segments[s].Df(cursors[s]);
                var data = segments[s].Postings(cursors[s]);
                postings += AppendLivePostings(data, segments[s].FirstDoc - first - 1, lengths, 0, ref buffer, ref used, ref last);
            }
            if (df != 0 || postings > 0)
            {
                builder.Add(key, buffer.AsSpan(0, used), postings, df);
            }
            for (var s = 0; s < segments.Count; s++)
            {
                if (from[s])
                {
                    cursors[s]++;
                }
            }
        }
        return builder.Finish(lengths, termCounts, checked((int)live), total);
    }
}

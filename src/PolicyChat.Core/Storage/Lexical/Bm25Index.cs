using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace PolicyChat.Core.Storage.Lexical;

/// <summary>BM25's term-frequency saturation (k1) and length normalization (b).</summary>
public sealed record Bm25Parameters
{
    public double K1 { get; init; } = 1.2;

    public double B { get; init; } = 0.75;

    /// <summary>
    /// Query-term-frequency saturation: a term repeated in the query weighs (k3 + 1)·qtf / (k3 + qtf) times.
    /// 0 ignores repeats. Matters for n-grams, which repeat within a question.
    /// </summary>
    public double K3 { get; init; } = 1.0;

    public IEnumerable<string> Validate(string section)
    {
        if (!(K1 > 0 && K1 <= 10))
        {
            yield return $"{section}:K1 must be in (0, 10] (BM25 term-frequency saturation; 1.2 is usual), not {K1}.";
        }
        if (!(B >= 0 && B <= 1))
        {
            yield return $"{section}:B must be in [0, 1] (BM25 length normalization; 0.75 is usual), not {B}.";
        }
        if (!(K3 >= 0 && K3 <= 1000))
        {
            yield return $"{section}:K3 must be in [0, 1000] (BM25 query-term-frequency saturation; 0 ignores repeats), not {K3}.";
        }
    }
}

/// <summary>
/// How much of a query one search may evaluate: query terms are taken rarest first while the sum of their document
/// frequencies stays within <see cref="PostingBudget"/> (at least <see cref="MinTerms"/>, at most <see cref="MaxTerms"/>).
/// Common terms, dropped first, add the least to BM25; the budget bounds a query's work at any collection size.
/// </summary>
public sealed record QueryBudget(int PostingBudget = 50_000, int MaxTerms = 64, int MinTerms = 2)
{
    public static QueryBudget Default { get; } = new();
}

/// <summary>
/// A BM25 inverted index over integer document ids that only grow. Postings are appended per term in increasing
/// document order and kept as varint-encoded (document gap, term frequency) pairs, about two bytes each. Removing a
/// document drops it from the statistics at once and from the postings at the next compaction, which runs when a
/// quarter of the in-memory postings are stale.
/// <para>
/// An index may stand on <see cref="Bm25Segment"/>s (memory-mapped files holding consecutive ranges of documents,
/// <see cref="Bm25Index(Bm25Parameters, IReadOnlyList{Bm25Segment}, IEnumerable{int})"/>): their documents are searched
/// in place, documents added later go to the in-memory part, and removing a segment document only marks it (its length
/// becomes 0; <see cref="RemovedSegmentDocuments"/> lists the marks). The in-memory part holds exactly the changes since
/// the last segment: <see cref="WriteChanges"/> writes them as a new segment and <see cref="AppendSegment"/> then
/// empties it; <see cref="MergeSegments"/> folds segments into one, and <see cref="ReplaceSegments"/> swaps it in.
/// A term's document frequency is the sum of its segments' (each the change it brought) and the in-memory change.
/// </para>
/// <para>
/// Thread-safety: any number of concurrent searches; one writer at a time (<see cref="OpenWriter"/>), which excludes
/// searches while it is open. Writers are synchronous and short: hold one across no await.
/// </para>
/// </summary>
public sealed partial class Bm25Index : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    // In-memory term ids: terms that pack into 64 bits (PackedTerm: most n-grams) by value, the others by string.
    private PackedTermTable _packedIds = new();
    private Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private Bm25Segment[] _segments = [];

    // Per in-memory term id, all of a term's state in one place (one cache line touched per posting added).
    private TermState[] _terms = new TermState[256];
    private int _termCount;
    private PostingPool _postings = new();

    // Per document id: length + 1 (0 = absent or removed) and distinct terms.
    private int[] _docLength = new int[256];
    private int[] _docTerms = new int[256];

    private int _liveDocs;
    private long _totalLength;
    private long _postingCount;
    private long _stalePostings;
    private int _maxDoc = -1;

    // What the segments add up to, and the segment documents removed since the last segment (deletion marks).
    private int _segmentLiveDocs;
    private long _segmentTotalLength;
    private int _segmentEnd;
    private List<int> _removedSegmentDocs = [];

    [ThreadStatic] private static float[]? t_scores;
    [ThreadStatic] private static List<int>? t_touched;

    public Bm25Index(Bm25Parameters? parameters = null)
    {
        Parameters = parameters ?? new Bm25Parameters();
        _lookup = _termIds.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// An index standing on <paramref name="segments"/> (consecutive document ranges from 0, oldest first) with the
    /// deletion marks <paramref name="removed"/> (documents of those segments removed after they were written).
    /// </summary>
    public Bm25Index(Bm25Parameters parameters, IReadOnlyList<Bm25Segment> segments, IEnumerable<int> removed)
        : this(parameters)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(removed);
        var end = 0;
        long live = 0;
        foreach (var segment in segments)
        {
            if (segment.FirstDoc != end)
            {
                throw new InvalidDataException($"A segment starts at document {segment.FirstDoc}, not {end} where the one before it ends.");
            }
            end = segment.EndDoc;
            live += segment.Layout.LiveDocs;
            _totalLength += segment.Layout.TotalLength;
        }
        _docLength = new int[Math.Max(256, end + 1024)];
        _docTerms = new int[_docLength.Length];
        foreach (var segment in segments)
        {
            segment.DocLengths.CopyTo(_docLength.AsSpan(segment.FirstDoc));
            segment.DocTermCounts.CopyTo(_docTerms.AsSpan(segment.FirstDoc));
        }
        foreach (var doc in removed)
        {
            if (doc < 0 || doc >= end)
            {
                throw new InvalidDataException($"A deletion mark names document {doc}, outside the segments (0 … {end - 1}).");
            }
            _docLength[doc] = 0;
            _docTerms[doc] = 0;
        }
        if (live < 0 || live > end || _totalLength < 0)
        {
            throw new InvalidDataException($"The segments add up to {live} live documents of {end}, total length {_totalLength}.");
        }
        _segments = [.. segments];
        _liveDocs = (int)live;
        _segmentLiveDocs = _liveDocs;
        _segmentTotalLength = _totalLength;
        _segmentEnd = end;
        _maxDoc = end - 1;
    }

    /// <summary>Documents held by segments (0 when none).</summary>
    public int SegmentDocuments
    {
        get
        {
            _lock.EnterReadLock();
            try { return _segmentEnd; }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>The segments this index stands on, oldest first.</summary>
    public IReadOnlyList<Bm25Segment> Segments
    {
        get
        {
            _lock.EnterReadLock();
            try { return _segments; }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Segment documents removed since the last segment, and documents added in memory: what a new segment would hold.</summary>
    public int PendingChanges
    {
        get
        {
            _lock.EnterReadLock();
            try { return _removedSegmentDocs.Count + (_maxDoc + 1 - _segmentEnd); }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Segment documents removed since the last segment (ascending order not guaranteed).</summary>
    public IReadOnlyList<int> RemovedSegmentDocuments
    {
        get
        {
            _lock.EnterReadLock();
            try { return [.. _removedSegmentDocs]; }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Whether <paramref name="doc"/> is indexed and not removed.</summary>
    public bool IsLive(int doc)
    {
        _lock.EnterReadLock();
        try { return doc >= 0 && doc < _docLength.Length && _docLength[doc] != 0; }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary><see cref="IsLive"/> for a caller holding a writer (the write lock).</summary>
    internal bool IsLiveUnlocked(int doc) => doc >= 0 && doc < _docLength.Length && _docLength[doc] != 0;

    /// <summary>Highest document id indexed so far (−1 when none).</summary>
    public int MaxDocument
    {
        get
        {
            _lock.EnterReadLock();
            try { return _maxDoc; }
            finally { _lock.ExitReadLock(); }
        }
    }

    public Bm25Parameters Parameters { get; }

    /// <summary>Documents currently indexed (removed ones excluded).</summary>
    public int DocumentCount
    {
        get
        {
            _lock.EnterReadLock();
            try { return _liveDocs; }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Distinct in-memory terms, postings (stale ones included) and the bytes that hold them, for diagnostics.</summary>
    public (int Terms, long Postings, long PostingBytes) Size
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                long bytes = 0;
                for (var t = 0; t < _termCount; t++)
                {
                    bytes += _terms[t].Capacity;
                }
                return (_termCount, _postingCount, bytes);
            }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Number of live documents containing <paramref name="term"/>.</summary>
    public int DocumentFrequency(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        _lock.EnterReadLock();
        try { return Reference(term).Df; }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Takes the write lock until the writer is disposed.</summary>
    public Writer OpenWriter()
    {
        _lock.EnterWriteLock();
        return new Writer(this);
    }

    /// <summary>
    /// The <paramref name="limit"/> best documents for <paramref name="terms"/> by BM25 (repeated terms saturate by
    /// <see cref="Bm25Parameters.K3"/>), best first (ties by lower id). <paramref name="allowed"/>, when given, restricts the documents.
    /// </summary>
    public List<(int Doc, double Score)> Search(IReadOnlyList<string> terms, int limit, QueryBudget budget, Func<int, bool>? allowed = null)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(budget);
        if (limit <= 0 || terms.Count == 0)
        {
            return [];
        }
        _lock.EnterReadLock();
        try
        {
            if (_liveDocs == 0)
            {
                return [];
            }
            var chosen = ChooseTerms(terms, budget);
            return chosen.Count == 0 ? [] : Score(chosen, limit, allowed);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>A term's in-memory id (−1 when absent), its index in each segment (−1 when absent) and its live document frequency.</summary>
    private readonly record struct TermRef(string Term, int Id, int[]? SegmentTerms, int Df);

    private TermRef Reference(string term)
    {
        var id = FindTerm(term);
        var df = id >= 0 ? _terms[id].Df : 0;
        int[]? segmentTerms = null;
        var segments = _segments;
        if (segments.Length > 0 && term.Length > 0)
        {
            var max = Encoding.UTF8.GetMaxByteCount(term.Length);
            Span<byte> buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
            var key = buffer[..Encoding.UTF8.GetBytes(term, buffer)];
            for (var s = 0; s < segments.Length; s++)
            {
                var t = segments[s].Find(key);
                if (t >= 0)
                {
                    segmentTerms ??= CreateFilled(segments.Length);
                    segmentTerms[s] = t;
                    df += segments[s].Df(t);
                }
            }
        }
        return new TermRef(term, id, segmentTerms, df);

        static int[] CreateFilled(int length)
        {
            var array = new int[length];
            Array.Fill(array, -1);
            return array;
        }
    }

    /// <summary>The distinct known query terms to evaluate, rarest first within the budget, each with its count in the query.</summary>
    private List<(TermRef Term, int QueryFrequency)> ChooseTerms(IReadOnlyList<string> terms, QueryBudget budget)
    {
        var counts = new Dictionary<string, int>(Math.Min(terms.Count, 256), StringComparer.Ordinal);
        foreach (var term in terms)
        {
            if (!string.IsNullOrEmpty(term))
            {
                ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, term, out _);
                count++;
            }
        }
        var refs = new List<(TermRef Term, int Count)>(counts.Count);
        foreach (var (term, count) in counts)
        {
            var reference = Reference(term);
            if (reference.Df > 0)
            {
                refs.Add((reference, count));
            }
        }
        refs.Sort((a, b) => a.Term.Df != b.Term.Df ? a.Term.Df.CompareTo(b.Term.Df) : string.CompareOrdinal(a.Term.Term, b.Term.Term));
        var chosen = new List<(TermRef, int)>(Math.Min(refs.Count, budget.MaxTerms));
        long postings = 0;
        foreach (var (term, count) in refs)
        {
            if (chosen.Count >= budget.MaxTerms || (chosen.Count >= budget.MinTerms && postings + term.Df > budget.PostingBudget))
            {
                break;
            }
            chosen.Add((term, count));
            postings += term.Df;
        }
        return chosen;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<(int Doc, double Score)> Score(List<(TermRef Term, int QueryFrequency)> termIds, int limit, Func<int, bool>? allowed)
    {
        var scores = t_scores;
        if (scores is null || scores.Length <= _maxDoc)
        {
            scores = t_scores = new float[Math.Max(1024, (_maxDoc + 1) * 5 / 4)];
        }
        var touched = t_touched ??= new List<int>(4096);
        touched.Clear();
        var k1 = (float)Parameters.K1;
        var b = (float)Parameters.B;
        var averageLength = (float)(_totalLength / (double)_liveDocs);
        // k1 · (1 − b + b · dl / avgdl) with dl = stored − 1, as normBase + normSlope · stored.
        var normSlope = averageLength > 0 ? k1 * b / averageLength : 0f;
        var normBase = (k1 * (1 - b)) - normSlope;
        var docLength = _docLength;
        var segments = _segments;
        try
        {
            var k3 = Parameters.K3;
            foreach (var (term, qtf) in termIds)
            {
                var df = term.Df;
                var queryWeight = (k3 + 1) * qtf / (k3 + qtf);
                var weight = (float)(Math.Log(1 + ((_liveDocs - df + 0.5) / (df + 0.5))) * queryWeight) * (k1 + 1);
                if (term.SegmentTerms is { } segmentTerms)
                {
                    for (var s = 0; s < segmentTerms.Length; s++)
                    {
                        if (segmentTerms[s] >= 0)
                        {
                            Accumulate(segments[s].Postings(segmentTerms[s]), segments[s].FirstDoc, weight, normBase, normSlope, docLength, scores, touched, allowed);
                        }
                    }
                }
                if (term.Id >= 0)
                {
                    Accumulate(PostingsOf(term.Id), 0, weight, normBase, normSlope, docLength, scores, touched, allowed);
                }
            }
            return TopDocuments(scores, touched, limit);
        }
        finally
        {
            foreach (var doc in touched)
            {
                scores[doc] = 0;
            }
            touched.Clear();
        }
    }

    /// <summary>The <paramref name="limit"/> best touched documents, best first (ties by lower id).</summary>
    private static List<(int Doc, double Score)> TopDocuments(float[] scores, List<int> touched, int limit)
    {
        var heap = new PriorityQueue<int, (float Score, int Doc)>(Math.Min(limit, touched.Count) + 1, WorstFirst.Instance);
        var threshold = float.NegativeInfinity; // the worst kept score once the heap is full: most documents fail this one compare
        foreach (var doc in CollectionsMarshal.AsSpan(touched))
        {
            var s = scores[doc];
            if (heap.Count < limit)
            {
                heap.Enqueue(doc, (s, doc));
                if (heap.Count == limit)
                {
                    heap.TryPeek(out _, out var worst);
                    threshold = worst.Score;
                }
            }
            else if (s >= threshold && heap.TryPeek(out _, out var worst) && WorstFirst.Instance.Compare((s, doc), worst) > 0)
            {
                heap.DequeueEnqueue(doc, (s, doc));
                heap.TryPeek(out _, out worst);
                threshold = worst.Score;
            }
        }
        var result = new List<(int Doc, double Score)>(heap.Count);
        while (heap.TryDequeue(out var doc, out var priority))
        {
            result.Add((doc, priority.Score));
        }
        result.Reverse();
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate(ReadOnlySpan<byte> data, int firstDoc, float weight, float normBase, float normSlope, int[] docLength, float[] scores,
        List<int> touched, Func<int, bool>? allowed)
    {
        var doc = firstDoc - 1;
        var i = 0;
        while (i < data.Length)
        {
            doc += ReadVarint(data, ref i);
            var tf = (float)ReadVarint(data, ref i);
            var stored = docLength[doc];
            if (stored == 0 || (allowed is not null && !allowed(doc)))
            {
                continue;
            }
            var s = weight * tf / (tf + normBase + (normSlope * stored));
            if (scores[doc] == 0)
            {
                touched.Add(doc);
            }
            scores[doc] += s;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadVarint(ReadOnlySpan<byte> data, ref int i)
    {
        int value = data[i++];
        if (value < 0x80)
        {
            return value;
        }
        value &= 0x7F;
        var shift = 7;
        while (true)
        {
            int next = data[i++];
            value |= (next & 0x7F) << shift;
            if (next < 0x80)
            {
                return value;
            }
            shift += 7;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int VarintSize(int value) => (BitOperations.Log2((uint)value | 1) / 7) + 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteVarint(Span<byte> data, ref int used, int value)
    {
        var v = (uint)value;
        while (v >= 0x80)
        {
            data[used++] = (byte)(v | 0x80);
            v >>= 7;
        }
        data[used++] = (byte)v;
    }

    /// <summary>The postings of in-memory term <paramref name="id"/>.</summary>
    private ReadOnlySpan<byte> PostingsOf(int id) => _postings.Data(_terms[id].Page, _terms[id].Offset, _terms[id].Used);

    /// <summary>
    /// Appends to <paramref name="buffer"/> the postings of <paramref name="data"/> (document gaps counted from
    /// <paramref name="doc"/>) whose documents are still live (<paramref name="lengths"/> not 0), re-encoded as gaps from
    /// <paramref name="last"/> with document numbers lowered by <paramref name="shift"/>. Returns how many were appended.
    /// </summary>
    private static int AppendLivePostings(ReadOnlySpan<byte> data, int doc, ReadOnlySpan<int> lengths, int shift, ref byte[] buffer, ref int used, ref int last)
    {
        var appended = 0;
        for (var i = 0; i < data.Length;)
        {
            doc += ReadVarint(data, ref i);
            var tf = ReadVarint(data, ref i);
            if (lengths[doc] == 0)
            {
                continue;
            }
            WriteVarint(ref buffer, ref used, doc - shift - last);
            WriteVarint(ref buffer, ref used, tf);
            last = doc - shift;
            appended++;
        }
        return appended;
    }

    private static void WriteVarint(ref byte[] data, ref int used, int value)
    {
        if (data.Length - used < 5)
        {
            Array.Resize(ref data, Math.Max(data.Length * 2, used + 5));
        }
        var v = (uint)value;
        while (v >= 0x80)
        {
            data[used++] = (byte)(v | 0x80);
            v >>= 7;
        }
        data[used++] = (byte)v;
    }

    /// <summary>The in-memory id of <paramref name="term"/>, or −1.</summary>
    private int FindTerm(ReadOnlySpan<char> term)
    {
        if (PackedTerm.TryPack(term, out var packed))
        {
            return _packedIds.Find(PackedTerm.Key(packed));
        }
        return _lookup.TryGetValue(term, out var id) ? id : -1;
    }

    /// <summary>The in-memory id of <paramref name="term"/>, added when absent.</summary>
    private int AddTerm(ReadOnlySpan<char> term)
    {
        if (PackedTerm.TryPack(term, out var packed))
        {
            ref var packedId = ref _packedIds.FindOrAdd(PackedTerm.Key(packed), out var exists);
            if (!exists)
            {
                packedId = NewTerm(packed); // touches only _terms, so the reference into the table stays valid
            }
            return packedId;
        }
        if (_lookup.TryGetValue(term, out var id))
        {
            return id;
        }
        id = NewTerm(0);
        _lookup[term] = id;
        return id;
    }

    private int NewTerm(ulong packed)
    {
        var id = _termCount++;
        if (id == _terms.Length)
        {
            Array.Resize(ref _terms, id * 2);
        }
        _postings.Allocate(PostingPool.MinCapacity, exact: false, out var page, out var offset, out var capacity);
        _terms[id] = new TermState { Packed = packed, Page = page, Offset = offset, Capacity = capacity, LastDoc = -1 };
        return id;
    }

    /// <summary>Every in-memory term with its id (packed terms rebuilt from their bits: no string is kept for them).</summary>
    private IEnumerable<(string Term, int Id)> InMemoryTerms()
    {
        for (var id = 0; id < _termCount; id++)
        {
            if (_terms[id].Packed != 0)
            {
                yield return (PackedTerm.ToString(_terms[id].Packed), id);
            }
        }
        foreach (var (term, id) in _termIds)
        {
            yield return (term, id);
        }
    }

    private void EnsureDocCapacity(int doc)
    {
        if (doc >= _docLength.Length)
        {
            var size = Math.Max(doc + 1, _docLength.Length * 2);
            Array.Resize(ref _docLength, size);
            Array.Resize(ref _docTerms, size);
        }
    }

    /// <summary>Appends one posting per distinct term (its <see cref="TermState.Count"/>, left at 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddPostings(int doc, List<int> distinctIds, int length)
    {
        if (doc <= _maxDoc)
        {
            ClearCounts(distinctIds);
            throw new InvalidOperationException($"Document {doc} is not after the last indexed document {_maxDoc}: ids must only grow.");
        }
        EnsureDocCapacity(doc);
        var terms = _terms;
        var pool = _postings;
        foreach (var id in CollectionsMarshal.AsSpan(distinctIds))
        {
            ref var term = ref terms[id];
            var used = term.Used;
            var gap = doc - term.LastDoc;
            var needed = VarintSize(gap) + VarintSize(term.Count);
            if (term.Capacity - used < needed)
            {
                pool.Grow(ref term.Page, ref term.Offset, ref term.Capacity, used, needed);
            }
            var slot = pool.Page(term.Page).AsSpan(term.Offset, term.Capacity);
            WriteVarint(slot, ref used, gap);
            WriteVarint(slot, ref used, term.Count);
            term.Count = 0;
            term.Used = used;
            term.LastDoc = doc;
            term.Df++;
        }
        var distinct = distinctIds.Count;
        _docLength[doc] = length + 1;
        _docTerms[doc] = distinct;
        _maxDoc = doc;
        _liveDocs++;
        _totalLength += length;
        _postingCount += distinct;
    }

    private void RemoveDocument(int doc, List<int> distinctIds)
    {
        ClearCounts(distinctIds);
        if (doc < 0 || doc >= _docLength.Length || _docLength[doc] == 0)
        {
            return;
        }
        foreach (var id in CollectionsMarshal.AsSpan(distinctIds))
        {
            _terms[id].Df--; // the document was live, so each of its distinct terms counted it
        }
        _totalLength -= _docLength[doc] - 1;
        _liveDocs--;
        if (doc < _segmentEnd)
        {
            _removedSegmentDocs.Add(doc); // its postings stay in its segment, skipped, until segments are merged
        }
        else
        {
            _stalePostings += _docTerms[doc];
        }
        _docLength[doc] = 0;
        _docTerms[doc] = 0;
    }

    private void ClearCounts(List<int> ids)
    {
        foreach (var id in CollectionsMarshal.AsSpan(ids))
        {
            _terms[id].Count = 0;
        }
    }

    /// <summary>Rewrites every posting list without removed documents once a quarter of the postings are stale.</summary>
    private void CompactIfWorthIt()
    {
        if (_stalePostings < 4096 || _stalePostings * 4 < _postingCount)
        {
            return;
        }
        var pool = new PostingPool();
        var rewritten = new byte[1024];
        for (var id = 0; id < _termCount; id++)
        {
            ref var term = ref _terms[id];
            var data = PostingsOf(id);
            var used = 0;
            var last = -1;
            AppendLivePostings(data, -1, _docLength, 0, ref rewritten, ref used, ref last);
            // _df is unchanged: removals already took their documents out of it.
            Store(pool, ref term, rewritten.AsSpan(0, used));
            term.LastDoc = last;
        }
        _postings = pool;
        _postingCount -= _stalePostings;
        _stalePostings = 0;
    }

    /// <summary>Copies the posting lists into a fresh pool, each in a slot of its size (after a bulk load: drops the slack of growth).</summary>
    private void Trim()
    {
        var pool = new PostingPool();
        for (var id = 0; id < _termCount; id++)
        {
            Store(pool, ref _terms[id], PostingsOf(id));
        }
        _postings = pool;
    }

    /// <summary>Puts <paramref name="data"/> in a slot of <paramref name="pool"/> as the postings of <paramref name="term"/>.</summary>
    private static void Store(PostingPool pool, ref TermState term, ReadOnlySpan<byte> data)
    {
        pool.Allocate(data.Length, exact: true, out term.Page, out term.Offset, out term.Capacity);
        data.CopyTo(pool.Page(term.Page).AsSpan(term.Offset));
        term.Used = data.Length;
    }

    /// <summary>Worst hit first: lower score, then higher document id.</summary>
    private sealed class WorstFirst : IComparer<(float Score, int Doc)>
    {
        public static WorstFirst Instance { get; } = new();

        public int Compare((float Score, int Doc) x, (float Score, int Doc) y) =>
            x.Score != y.Score ? x.Score.CompareTo(y.Score) : y.Doc.CompareTo(x.Doc);
    }

    /// <summary>
    /// An in-memory term: its packed characters (0 for a term kept by string in the dictionary), postings (a slot of the pool: page, offset, capacity; varint
    /// document gap, term frequency; the first <see cref="Used"/> bytes), last document, and document frequency
    /// (documents added minus documents removed, segment documents included, since the last segment). <see cref="Count"/> is its frequency in the document a writer is
    /// adding or removing (0 between documents).
    /// </summary>
    private struct TermState
    {
        public ulong Packed;
        public int Page;
        public int Offset;
        public int Capacity;
        public int Used;
        public int LastDoc;
        public int Df;
        public int Count;
    }
}

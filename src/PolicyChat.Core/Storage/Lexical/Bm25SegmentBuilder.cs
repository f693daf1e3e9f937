using System.Buffers;

namespace PolicyChat.Core.Storage.Lexical;

/// <summary>
/// Writes one BM25 leg into an index file in the layout <see cref="Bm25Segment"/> reads: postings as terms arrive (in
/// increasing UTF-8 order), then the keys, offsets, document frequencies and per-document arrays.
/// </summary>
internal sealed class Bm25SegmentBuilder
{
    private readonly IndexFileWriter _writer;
    private readonly List<long> _keyOffsets = [0];
    private readonly List<long> _postingOffsets = [0];
    private readonly List<int> _dfs = [];
    private readonly ArrayBufferWriter<byte> _keys = new();
    private readonly long _postingsStart;
    private long _postingsLength;
    private long _postingCount;

    public Bm25SegmentBuilder(IndexFileWriter writer)
    {
        _writer = writer;
        writer.Align();
        _postingsStart = writer.Position;
    }

    /// <summary>Adds a term (after every term added so far in byte order) with its postings, their count and its document frequency.</summary>
    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> postings, int postingCount, int df)
    {
        _writer.Write(postings);
        _postingsLength += postings.Length;
        _postingOffsets.Add(_postingsLength);
        _keys.Write(key);
        _keyOffsets.Add(_keys.WrittenCount);
        _dfs.Add(df);
        _postingCount += postingCount;
    }

    public Bm25SegmentLayout Finish(ReadOnlySpan<int> docLengths, ReadOnlySpan<int> docTerms, int liveDocs, long totalLength)
    {
        var keysStart = _writer.Position;
        _writer.Write(_keys.WrittenSpan);
        _writer.Align();
        var keyOffsetsStart = _writer.Position;
        _writer.WriteArray<long>(_keyOffsets.ToArray());
        var dfsStart = _writer.Position;
        _writer.WriteArray<int>(_dfs.ToArray());
        _writer.Align();
        var postingOffsetsStart = _writer.Position;
        _writer.WriteArray<long>(_postingOffsets.ToArray());
        var lengthsStart = _writer.Position;
        _writer.WriteArray(docLengths);
        var termCountsStart = _writer.Position;
        _writer.WriteArray(docTerms);
        _writer.Align();
        return new Bm25SegmentLayout(_dfs.Count, docLengths.Length, liveDocs, totalLength, _postingCount,
            keyOffsetsStart, keysStart, dfsStart, postingOffsetsStart, _postingsStart, lengthsStart, termCountsStart);
    }
}

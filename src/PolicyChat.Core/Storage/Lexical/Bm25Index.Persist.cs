using System.Text;

namespace PolicyChat.Core.Storage.Lexical;

public sealed partial class Bm25Index
{
    /// <summary>
    /// Writes the live documents as one leg of an index file: terms sorted by UTF-8 bytes, postings of the file this
    /// index stands on and of memory merged and renumbered by <paramref name="docMap"/> (old id → new id, −1 = dropped;
    /// the order of documents must be kept), terms no live document holds left out. Takes the read lock.
    /// </summary>
    public Bm25SegmentLayout WriteTo(IndexFileWriter writer, int[] docMap, int newDocCount)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(docMap);
        _lock.EnterReadLock();
        try
        {
            return Write(writer, docMap, newDocCount);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private Bm25SegmentLayout Write(IndexFileWriter writer, int[] docMap, int newDocCount)
    {
        // Terms in order: the file's (already sorted) merged with the in-memory ones the file lacks (sorted here).
        var baseCount = _base?.TermCount ?? 0;
        var overlayOfBase = new int[baseCount];
        Array.Fill(overlayOfBase, -1);
        var fresh = new List<(byte[] Key, int Id)>();
        foreach (var (term, id) in _termIds)
        {
            if (_baseTerm[id] >= 0)
            {
                overlayOfBase[_baseTerm[id]] = id;
            }
            else
            {
                fresh.Add((Encoding.UTF8.GetBytes(term), id));
            }
        }
        fresh.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));

        var keyOffsets = new List<long> { 0 };
        var postingOffsets = new List<long> { 0 };
        var dfs = new List<int>();
        using var keys = new MemoryStream();
        writer.Align();
        var postingsStart = writer.Position;
        long postingsLength = 0;
        long postingCount = 0;
        var buffer = new byte[1024];
        var b = 0;
        var f = 0;
        while (b < baseCount || f < fresh.Count)
        {
            byte[] key;
            int baseId = -1, id = -1;
            if (f >= fresh.Count || (b < baseCount && _base!.Key(b).SequenceCompareTo(fresh[f].Key) < 0))
            {
                key = _base!.Key(b).ToArray();
                baseId = b;
                id = overlayOfBase[b++];
            }
            else
            {
                (key, id) = fresh[f++];
            }
            var used = 0;
            var last = -1;
            var df = 0;
            if (baseId >= 0)
            {
                Renumber(_base!.Postings(baseId), docMap, ref buffer, ref used, ref last, ref df);
            }
            if (id >= 0)
            {
                Renumber(_postings[id].AsSpan(0, _used[id]), docMap, ref buffer, ref used, ref last, ref df);
            }
            if (df == 0)
            {
                continue;
            }
            writer.Write(buffer.AsSpan(0, used));
            postingsLength += used;
            postingOffsets.Add(postingsLength);
            keys.Write(key);
            keyOffsets.Add(keys.Length);
            dfs.Add(df);
            postingCount += df;
        }

        var keysStart = writer.Position;
        writer.Write(keys.GetBuffer().AsSpan(0, (int)keys.Length));
        writer.Align();
        var keyOffsetsStart = writer.Position;
        writer.WriteArray<long>(keyOffsets.ToArray());
        var dfsStart = writer.Position;
        writer.WriteArray<int>(dfs.ToArray());
        writer.Align();
        var postingOffsetsStart = writer.Position;
        writer.WriteArray<long>(postingOffsets.ToArray());
        var lengths = new int[newDocCount];
        var termCounts = new int[newDocCount];
        for (var doc = 0; doc <= _maxDoc; doc++)
        {
            if (docMap[doc] is >= 0 and var to && _docLength[doc] != 0)
            {
                lengths[to] = _docLength[doc];
                termCounts[to] = _docTerms[doc];
            }
        }
        var lengthsStart = writer.Position;
        writer.WriteArray<int>(lengths);
        var termCountsStart = writer.Position;
        writer.WriteArray<int>(termCounts);
        writer.Align();
        return new Bm25SegmentLayout(dfs.Count, newDocCount, _liveDocs, _totalLength, postingCount,
            keyOffsetsStart, keysStart, dfsStart, postingOffsetsStart, postingsStart, lengthsStart, termCountsStart);
    }

    /// <summary>Appends the live postings of <paramref name="data"/> with documents renumbered.</summary>
    private void Renumber(ReadOnlySpan<byte> data, int[] docMap, ref byte[] buffer, ref int used, ref int last, ref int df)
    {
        var doc = -1;
        var i = 0;
        while (i < data.Length)
        {
            doc += ReadVarint(data, ref i);
            var tf = ReadVarint(data, ref i);
            if (_docLength[doc] == 0 || docMap[doc] < 0)
            {
                continue;
            }
            var to = docMap[doc];
            WriteVarint(ref buffer, ref used, to - last);
            WriteVarint(ref buffer, ref used, tf);
            last = to;
            df++;
        }
    }
}

using System.Buffers.Binary;
using PolicyChat.Core.Storage.Lexical;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>
/// One segment of a persisted <see cref="ChunkLexicon"/> (<c>policychat.db.lexicon.*.seg</c>, listed by
/// <see cref="LexiconManifest"/>): a 512-byte header (magic, format version, file length, the change-log sequence the
/// segment brings the lexicon to, the database's id, its first document and document count, where each part lies, XXH3
/// of the body), then both BM25 legs (<see cref="Bm25Segment"/>), the chunk rowid of each of its documents, and its
/// deletion marks (earlier documents removed by the changes it holds). Written once, never changed; a file whose length,
/// id, sequence or hash does not match is refused (and the lexicon rebuilt by the store).
/// <para>Version 1 files (one whole lexicon, written before segments) read as a first segment without deletion marks.</para>
/// </summary>
internal static class LexiconFile
{
    public const int HeaderSize = 512;
    public const int FormatVersion = 2;
    public static ReadOnlySpan<byte> Magic => "PCLEXIDX"u8;

    /// <summary>What the header says.</summary>
    public sealed record Header(long Length, long Seq, Guid DatabaseId, int FirstDoc, int DocCount, long RowIds, long Removed, int RemovedCount,
        Bm25SegmentLayout Words, Bm25SegmentLayout Grams, ulong BodyHash);

    public static byte[] Encode(Header header)
    {
        var bytes = new byte[HeaderSize];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], header.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], header.Seq);
        header.DatabaseId.TryWriteBytes(span[32..48]);
        BinaryPrimitives.WriteInt32LittleEndian(span[48..], header.DocCount);
        BinaryPrimitives.WriteInt64LittleEndian(span[56..], header.RowIds);
        WriteLayout(span[64..], header.Words);
        WriteLayout(span[160..], header.Grams);
        BinaryPrimitives.WriteUInt64LittleEndian(span[256..], header.BodyHash);
        BinaryPrimitives.WriteInt64LittleEndian(span[264..], header.FirstDoc);
        BinaryPrimitives.WriteInt64LittleEndian(span[272..], header.Removed);
        BinaryPrimitives.WriteInt64LittleEndian(span[280..], header.RemovedCount);
        return bytes;
    }

    /// <summary>The header of <paramref name="file"/>, or the reason it cannot be used.</summary>
    public static Header Decode(MappedFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Length < HeaderSize)
        {
            throw new InvalidDataException($"shorter than its header ({file.Length} bytes)");
        }
        var span = file.Bytes(0, HeaderSize);
        if (!span[..8].SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a PolicyChat lexicon segment");
        }
        var version = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        if (version is not (1 or FormatVersion))
        {
            throw new InvalidDataException($"format version {version}, expected {FormatVersion}");
        }
        var header = new Header(
            BinaryPrimitives.ReadInt64LittleEndian(span[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[24..]),
            new Guid(span[32..48]),
            version == 1 ? 0 : checked((int)BinaryPrimitives.ReadInt64LittleEndian(span[264..])),
            BinaryPrimitives.ReadInt32LittleEndian(span[48..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[56..]),
            version == 1 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(span[272..]),
            version == 1 ? 0 : checked((int)BinaryPrimitives.ReadInt64LittleEndian(span[280..])),
            ReadLayout(span[64..]),
            ReadLayout(span[160..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[256..]));
        if (header.Length != file.Length)
        {
            throw new InvalidDataException($"partial: the header says {header.Length} bytes, the file has {file.Length}");
        }
        if (header.FirstDoc < 0 || header.DocCount < 0 || header.RemovedCount < 0
            || header.Words.DocCount != header.DocCount || header.Grams.DocCount != header.DocCount)
        {
            throw new InvalidDataException("the legs disagree on the number of documents");
        }
        return header;
    }

    private static void WriteLayout(Span<byte> span, Bm25SegmentLayout layout)
    {
        long[] values = [layout.TermCount, layout.DocCount, layout.LiveDocs, layout.TotalLength, layout.PostingCount,
            layout.KeyOffsets, layout.Keys, layout.Dfs, layout.PostingOffsets, layout.Postings, layout.DocLengths, layout.DocTerms];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[(i * 8)..], values[i]);
        }
    }

    private static Bm25SegmentLayout ReadLayout(ReadOnlySpan<byte> span)
    {
        var v = new long[12];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = BinaryPrimitives.ReadInt64LittleEndian(span[(i * 8)..]);
        }
        return new Bm25SegmentLayout(checked((int)v[0]), checked((int)v[1]), checked((int)v[2]), v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
    }
}

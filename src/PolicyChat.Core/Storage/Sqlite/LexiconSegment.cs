using PolicyChat.Core.Storage.Lexical;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>
/// One open segment file of a persisted lexicon (<see cref="LexiconFile"/>): its two legs, the chunk rowids of its
/// documents and its deletion marks, read in place from the memory map. Immutable; a segment dropped from a lexicon is
/// not disposed (searches may still read it) and its map is released when collected.
/// </summary>
internal sealed class LexiconSegment
{
    private LexiconSegment(string name, MappedFile file, LexiconFile.Header header, Bm25Segment words, Bm25Segment grams)
    {
        Name = name;
        File = file;
        Header = header;
        Words = words;
        Grams = grams;
    }

    /// <summary>The file's name in the lexicon's folder.</summary>
    public string Name { get; }

    public MappedFile File { get; }

    public LexiconFile.Header Header { get; }

    public Bm25Segment Words { get; }

    public Bm25Segment Grams { get; }

    public int FirstDoc => Header.FirstDoc;

    public int EndDoc => Header.FirstDoc + Header.DocCount;

    public ReadOnlySpan<long> RowIds => File.Array<long>(Header.RowIds, Header.DocCount);

    /// <summary>Documents of earlier segments that the changes this segment holds removed.</summary>
    public ReadOnlySpan<int> Removed => File.Array<int>(Header.Removed, Header.RemovedCount);

    public LexiconManifest.Entry Entry => new(Name, Header.Length, Header.BodyHash);

    /// <summary>
    /// Opens and checks a segment: it belongs to <paramref name="databaseId"/>, has the length and body hash the manifest
    /// recorded, and its body hashes to its header's hash. Throws <see cref="InvalidDataException"/> (or an I/O exception).
    /// </summary>
    public static LexiconSegment Open(string folder, LexiconManifest.Entry entry, Guid databaseId)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var file = MappedFile.Open(Path.Combine(folder, entry.Name));
        try
        {
            var header = LexiconFile.Decode(file);
            if (header.DatabaseId != databaseId)
            {
                throw new InvalidDataException($"{entry.Name} was written for another database file");
            }
            if (header.Length != entry.Length || header.BodyHash != entry.BodyHash)
            {
                throw new InvalidDataException($"{entry.Name} is not the segment the manifest lists");
            }
            if (IndexFileWriter.HashBody(file, LexiconFile.HeaderSize) != header.BodyHash)
            {
                throw new InvalidDataException($"{entry.Name} is corrupt: its checksum does not match");
            }
            var segment = new LexiconSegment(entry.Name, file, header,
                new Bm25Segment(file, header.Words, header.FirstDoc), new Bm25Segment(file, header.Grams, header.FirstDoc));
            _ = segment.RowIds;
            _ = segment.Removed;
            return segment;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes a new segment file beside <paramref name="lexiconPath"/> (a temporary file renamed when whole), then opens it.
    /// <paramref name="writeLegs"/> writes the two legs and returns their layouts.
    /// </summary>
    public static LexiconSegment Write(string lexiconPath, long seq, Guid databaseId, int firstDoc, ReadOnlySpan<long> rowIds, IReadOnlyCollection<int> removed,
        Func<IndexFileWriter, (Bm25SegmentLayout Words, Bm25SegmentLayout Grams)> writeLegs)
    {
        ArgumentNullException.ThrowIfNull(writeLegs);
        var folder = Path.GetDirectoryName(Path.GetFullPath(lexiconPath))!;
        var name = $"{Path.GetFileName(lexiconPath)}.{seq:D12}-{Guid.NewGuid().ToString("N")[..8]}.seg";
        var path = Path.Combine(folder, name);
        var temporary = path + ".tmp";
        try
        {
            LexiconFile.Header header;
            using (var writer = new IndexFileWriter(temporary, LexiconFile.HeaderSize))
            {
                var (words, grams) = writeLegs(writer);
                writer.Align();
                var rowIdsAt = writer.Position;
                writer.WriteArray(rowIds);
                var removedAt = writer.Position;
                writer.WriteArray<int>([.. removed]);
                writer.Align();
                header = new LexiconFile.Header(writer.Position, seq, databaseId, firstDoc, rowIds.Length, rowIdsAt, removedAt, removed.Count, words, grams, writer.BodyHash);
                writer.Finish(LexiconFile.Encode(header));
            }
            System.IO.File.Move(temporary, path);
            return Open(folder, new LexiconManifest.Entry(name, header.Length, header.BodyHash), databaseId);
        }
        finally
        {
            if (System.IO.File.Exists(temporary))
            {
                System.IO.File.Delete(temporary);
            }
        }
    }
}

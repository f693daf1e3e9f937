using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>
/// The entry point of a persisted lexicon (<c>policychat.db.lexicon</c>): the database's id, the change-log sequence the
/// lexicon reflects, the <see cref="TextAnalyzer.Version"/> its terms were analyzed with, and its segment files
/// (<see cref="LexiconFile"/>) oldest first, each with its length and body hash.
/// Segment files are written once and never changed; a new manifest is written to a temporary file and renamed over the
/// old one, so a reader sees one whole list or the next. Ends with the XXH3 of what precedes it.
/// </summary>
internal static class LexiconManifest
{
    private const int FormatVersion = 2;
    private const int MaxLength = 1 << 20;
    private static ReadOnlySpan<byte> Magic => "PCLEXMAN"u8;

    public sealed record Entry(string Name, long Length, ulong BodyHash);

    /// <summary>What a manifest lists.</summary>
    public sealed record Contents(long Seq, Guid DatabaseId, IReadOnlyList<Entry> Segments, int AnalyzerVersion = TextAnalyzer.Version)
    {
        public bool SameSegments(Contents other) =>
            Segments.Count == other.Segments.Count && Segments.Zip(other.Segments).All(p => p.First == p.Second);
    }

    /// <summary>The manifest at <paramref name="path"/>; throws <see cref="FileNotFoundException"/> or <see cref="InvalidDataException"/>.</summary>
    public static Contents Read(string path)
    {
        byte[] bytes;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            Span<byte> magic = stackalloc byte[8];
            if (stream.ReadAtLeast(magic, 8, throwOnEndOfStream: false) == 8 && magic.SequenceEqual(LexiconFile.Magic))
            {
                // The single-file lexicon of earlier releases, analyzed before versions were recorded (version 1).
                throw new InvalidDataException("a single-file lexicon written by text analyzer version 1");
            }
            if (stream.Length > MaxLength)
            {
                throw new InvalidDataException($"not a PolicyChat lexicon manifest ({stream.Length} bytes)");
            }
            bytes = new byte[stream.Length];
            stream.Position = 0;
            stream.ReadExactly(bytes);
        }
        if (bytes.Length < 48 || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a PolicyChat lexicon manifest");
        }
        var body = bytes.AsSpan(0, bytes.Length - 8);
        if (XxHash3.HashToUInt64(body) != BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8)))
        {
            throw new InvalidDataException("corrupt manifest: its checksum does not match");
        }
        var version = BinaryPrimitives.ReadInt32LittleEndian(body[8..]);
        if (version != FormatVersion)
        {
            throw new InvalidDataException(version == 1 ? "a manifest written by text analyzer version 1" : $"manifest format version {version}, expected {FormatVersion}");
        }
        var count = BinaryPrimitives.ReadInt32LittleEndian(body[12..]);
        var seq = BinaryPrimitives.ReadInt64LittleEndian(body[16..]);
        var id = new Guid(body[24..40]);
        var analyzer = BinaryPrimitives.ReadInt32LittleEndian(body[40..]);
        var at = 44;
        var entries = new List<Entry>(count);
        for (var i = 0; i < count; i++)
        {
            var nameLength = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
            var name = Encoding.UTF8.GetString(body.Slice(at + 4, nameLength));
            at += 4 + nameLength;
            entries.Add(new Entry(name, BinaryPrimitives.ReadInt64LittleEndian(body[at..]), BinaryPrimitives.ReadUInt64LittleEndian(body[(at + 8)..])));
            at += 16;
            if (name.Length == 0 || Path.GetFileName(name) != name)
            {
                throw new InvalidDataException($"manifest names a segment outside its folder ({name})");
            }
        }
        if (at != body.Length)
        {
            throw new InvalidDataException("manifest length does not match its entries");
        }
        return new Contents(seq, id, entries, AnalyzerVersion: analyzer);
    }

    /// <summary>Writes <paramref name="contents"/> to a temporary file, flushed, then renamed over <paramref name="path"/>.</summary>
    public static void Write(string path, Contents contents)
    {
        using var body = new MemoryStream();
        Span<byte> number = stackalloc byte[16];
        body.Write(Magic);
        BinaryPrimitives.WriteInt32LittleEndian(number, FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(number[4..], contents.Segments.Count);
        BinaryPrimitives.WriteInt64LittleEndian(number[8..], contents.Seq);
        body.Write(number);
        body.Write(contents.DatabaseId.ToByteArray());
        BinaryPrimitives.WriteInt32LittleEndian(number, contents.AnalyzerVersion);
        body.Write(number[..4]);
        foreach (var entry in contents.Segments)
        {
            var name = Encoding.UTF8.GetBytes(entry.Name);
            BinaryPrimitives.WriteInt32LittleEndian(number, name.Length);
            body.Write(number[..4]);
            body.Write(name);
            BinaryPrimitives.WriteInt64LittleEndian(number, entry.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(number[8..], entry.BodyHash);
            body.Write(number);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(number, XxHash3.HashToUInt64(body.GetBuffer().AsSpan(0, (int)body.Length)));
        body.Write(number[..8]);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(body.GetBuffer().AsSpan(0, (int)body.Length));
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}

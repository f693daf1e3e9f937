using PolicyChat.Core.Storage.Lexical;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>A run of consecutive segments to merge into one.</summary>
internal sealed record LexiconMerge(int Start, IReadOnlyList<LexiconSegment> Segments);

internal sealed partial class ChunkLexicon
{
    // The persisted chain this lexicon stands on (null: none written), oldest first.
    private List<LexiconSegment> _segments = [];
    private LexiconManifest.Contents? _manifest;

    /// <summary>The manifest this lexicon stands on (null when it was built from SQLite and not written yet).</summary>
    public LexiconManifest.Contents? Manifest => _manifest;

    /// <summary>The segments this lexicon stands on, oldest first.</summary>
    public IReadOnlyList<LexiconSegment> Segments => _segments;

    /// <summary>
    /// Opens the persisted lexicon whose manifest is <paramref name="path"/> when it belongs to <paramref name="databaseId"/>,
    /// reflects a sequence no later than <paramref name="currentSeq"/> and every segment is whole (length and hash);
    /// otherwise returns null with the reason. Segments in <paramref name="open"/> (by name) are reused, not checked again.
    /// </summary>
    public static ChunkLexicon? TryOpen(string path, Bm25Parameters words, Bm25Parameters grams, TextAnalyzerOptions analysis,
        Guid databaseId, long currentSeq, IReadOnlyCollection<LexiconSegment>? open, out string? reason)
    {
        // A merge in another process may replace segments between reading the manifest and opening them: read it again.
        for (var attempt = 0; ; attempt++)
        {
            if (!File.Exists(path))
            {
                reason = "missing";
                return null;
            }
            var opened = new List<LexiconSegment>();
            try
            {
                var manifest = LexiconManifest.Read(path);
                if (manifest.DatabaseId != databaseId)
                {
                    throw new InvalidDataException("written for another database file");
                }
                if (manifest.AnalyzerVersion != TextAnalyzer.Version)
                {
                    throw new InvalidDataException($"its terms were analyzed by text analyzer version {manifest.AnalyzerVersion}, not {TextAnalyzer.Version}");
                }
                if (manifest.Seq > currentSeq)
                {
                    throw new InvalidDataException($"reflects change {manifest.Seq}, later than the database's last ({currentSeq})");
                }
                var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
                var segments = new List<LexiconSegment>(manifest.Segments.Count);
                foreach (var entry in manifest.Segments)
                {
                    var reused = open?.FirstOrDefault(s => s.Entry == entry);
                    if (reused is null)
                    {
                        reused = LexiconSegment.Open(folder, entry, databaseId);
                        opened.Add(reused);
                    }
                    segments.Add(reused);
                }
                reason = null;
                return new ChunkLexicon(words, grams, analysis, manifest, segments);
            }
            catch (FileNotFoundException) when (attempt < 3)
            {
                DisposeAll(opened);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or OverflowException or ArgumentException)
            {
                DisposeAll(opened);
                reason = e.Message;
                return null;
            }
        }
    }

    /// <summary>
    /// Writes the changes since the last segment (all documents for a lexicon built from SQLite) as a new segment
    /// reflecting <paramref name="seq"/>, lists it in a new manifest and stands on it. The caller holds the store's index
    /// lock and the lexicon's file lock, and has checked that the manifest on disk is <see cref="Manifest"/> (or, for a
    /// lexicon not written yet, that replacing the disk's is wanted). Returns the new manifest.
    /// </summary>
    public LexiconManifest.Contents WriteSegment(string path, long seq, Guid databaseId)
    {
        var first = Words.SegmentDocuments;
        var removed = Words.RemovedSegmentDocuments;
        var segment = LexiconSegment.Write(path, seq, databaseId, first, _rowIdByDoc.AsSpan(first, _nextDoc - first), removed,
            writer => (Words.WriteChanges(writer), NGrams.WriteChanges(writer)));
        var manifest = new LexiconManifest.Contents(seq, databaseId, [.. _segments.Select(s => s.Entry), segment.Entry]);
        LexiconManifest.Write(path, manifest);
        Words.AppendSegment(segment.Words);
        NGrams.AppendSegment(segment.Grams);
        _segments = [.. _segments, segment];
        _manifest = manifest;
        Seq = seq;
        return manifest;
    }

    /// <summary>
    /// The segments worth merging now, or null: all of them once the later ones hold half as many documents as the first
    /// (so each document is rewritten a few times as the collection grows), else the later ones once there are
    /// <paramref name="maxSegments"/> or more.
    /// </summary>
    public LexiconMerge? PlanMerge(int maxSegments)
    {
        var segments = _segments;
        if (segments.Count < 2)
        {
            return null;
        }
        var later = segments[^1].EndDoc - segments[0].EndDoc;
        if (later * 2L >= segments[0].Header.DocCount)
        {
            return new LexiconMerge(0, segments);
        }
        return segments.Count >= maxSegments ? new LexiconMerge(1, segments.Skip(1).ToList()) : null;
    }

    /// <summary>
    /// Writes the merge of <paramref name="merge"/>'s segments as one segment file: their deletion marks for their own
    /// documents applied, those for earlier documents kept. Reads only immutable files: runs without any lock.
    /// </summary>
    public static LexiconSegment WriteMerged(string path, Guid databaseId, LexiconMerge merge)
    {
        ArgumentNullException.ThrowIfNull(merge);
        var segments = merge.Segments;
        var first = segments[0].FirstDoc;
        var dead = new HashSet<int>();
        var earlier = new SortedSet<int>();
        foreach (var segment in segments)
        {
            foreach (var doc in segment.Removed)
            {
                if (doc >= first)
                {
                    dead.Add(doc);
                }
                else
                {
                    earlier.Add(doc);
                }
            }
        }
        var rowIds = new long[segments[^1].EndDoc - first];
        foreach (var segment in segments)
        {
            segment.RowIds.CopyTo(rowIds.AsSpan(segment.FirstDoc - first));
        }
        return LexiconSegment.Write(path, segments[^1].Header.Seq, databaseId, first, rowIds, earlier,
            writer => (Bm25Index.MergeSegments(writer, [.. segments.Select(s => s.Words)], dead),
                Bm25Index.MergeSegments(writer, [.. segments.Select(s => s.Grams)], dead)));
    }

    /// <summary>
    /// Stands on <paramref name="merged"/> in place of the segments it merged, when this lexicon still stands on them;
    /// returns the new manifest, or null (the merged file is then not used). The caller holds the store's index lock and
    /// the lexicon's file lock, and has checked that the manifest on disk is <see cref="Manifest"/>.
    /// </summary>
    public LexiconManifest.Contents? ReplaceSegments(string path, LexiconMerge merge, LexiconSegment merged)
    {
        ArgumentNullException.ThrowIfNull(merge);
        ArgumentNullException.ThrowIfNull(merged);
        var segments = _segments;
        if (_manifest is null || merge.Start + merge.Segments.Count > segments.Count
            || !merge.Segments.Select((s, i) => ReferenceEquals(s, segments[merge.Start + i])).All(same => same))
        {
            return null;
        }
        List<LexiconSegment> replaced = [.. segments[..merge.Start], merged, .. segments[(merge.Start + merge.Segments.Count)..]];
        var manifest = new LexiconManifest.Contents(_manifest.Seq, _manifest.DatabaseId, [.. replaced.Select(s => s.Entry)]);
        LexiconManifest.Write(path, manifest);
        Words.ReplaceSegments(merge.Start, merge.Segments.Count, merged.Words);
        NGrams.ReplaceSegments(merge.Start, merge.Segments.Count, merged.Grams);
        _segments = replaced;
        _manifest = manifest;
        return manifest;
    }

    /// <summary>
    /// Deletes the segment files beside <paramref name="path"/> that <paramref name="manifest"/> does not list (best
    /// effort: a process that has one mapped keeps reading it). The caller holds the lexicon's file lock.
    /// </summary>
    public static void DeleteUnlisted(string path, LexiconManifest.Contents manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var listed = manifest.Segments.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder, Path.GetFileName(path) + ".*.seg"))
        {
            if (!listed.Contains(Path.GetFileName(file)))
            {
                try
                {
                    File.Delete(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Still mapped where deleting a mapped file is refused; the next clean-up retries.
                }
            }
        }
    }

    private static void DisposeAll(List<LexiconSegment> segments)
    {
        foreach (var segment in segments)
        {
            segment.File.Dispose();
        }
    }
}

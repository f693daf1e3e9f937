using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Storage.Sqlite;

/// <summary>
/// The persisted lexicon: a restart opens the file instead of rebuilding, applies the changes committed since (by any
/// process), searches exactly like an index rebuilt from SQLite, and a missing, partial, corrupt or foreign file is
/// rebuilt, never served.
/// </summary>
public sealed class SqliteLexiconFileTests : IDisposable
{
    private static readonly string[] s_vocabulary =
    [
        "policy", "network", "security", "open", "source", "model", "data", "privacy", "cloud", "chip", "export", "standard",
        "حماية", "البيانات", "الذكاء", "الاصطناعي", "الأمن", "السيبراني", "شبكة", "معايير", "数据", "安全", "芯片", "标准",
    ];

    private readonly string _directory = TestPaths.NewTempDirectory();

    private string DbPath => Path.Combine(_directory, "index.db");

    public void Dispose()
    {
        SqliteIndexStore.ClearPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS.
        }
    }

    [Fact]
    public async Task Restart_OpensTheFile_AppliesLaterChanges_AndSearchesLikeARebuild()
    {
        var random = new Random(17);
        var live = new HashSet<string>();
        await using (var first = Open())
        {
            await WriteRandomAsync(first, random, live, 60);
            await first.WarmUpAsync(); // rebuilt from SQLite, then written in the background
            await first.FlushIndexFilesAsync();
            Assert.True(File.Exists(first.LexiconPath));
            Assert.True(first.IsLexiconPersisted, "after writing, the store runs on the file");
            await WriteRandomAsync(first, random, live, 20); // on top of the file, in memory only
        }
        await using (var other = Open(persist: false))
        {
            await WriteRandomAsync(other, random, live, 20); // another process, while no store had the file open
        }

        await using var reopened = Open();
        await using var rebuilt = Open(persist: false);
        await reopened.WarmUpAsync();
        Assert.True(reopened.IsLexiconPersisted, "the restart opened the file");
        await AssertSameResultsAsync(reopened, rebuilt, random);

        await WriteRandomAsync(rebuilt, random, live, 20); // and keeps following writes of another store
        await AssertSameResultsAsync(reopened, rebuilt, random);
        Assert.Equal(live.Count, (await reopened.GetStatsAsync()).Documents);
    }

    [Fact]
    public async Task ManyChanges_WriteANewFileInTheBackground_ThatStillSearchesLikeARebuild()
    {
        var random = new Random(5);
        var live = new HashSet<string>();
        await using var store = Open(rewriteAfter: 30);
        await WriteRandomAsync(store, random, live, 20);
        await store.WarmUpAsync();
        await store.FlushIndexFilesAsync();
        var firstWrite = File.GetLastWriteTimeUtc(store.LexiconPath);
        var firstLength = new FileInfo(store.LexiconPath).Length;

        await WriteRandomAsync(store, random, live, 60);
        await store.FlushIndexFilesAsync();

        Assert.True(File.GetLastWriteTimeUtc(store.LexiconPath) > firstWrite || new FileInfo(store.LexiconPath).Length != firstLength,
            "a new file was written after enough changes");
        Assert.True(store.IsLexiconPersisted);
        await using var rebuilt = Open(persist: false);
        await AssertSameResultsAsync(store, rebuilt, random);
    }

    [Fact]
    public async Task LaterChanges_AddASmallSegment_WithoutRewritingTheEarlierOnes()
    {
        var random = new Random(11);
        var live = new HashSet<string>();
        await using var store = Open(rewriteAfter: 10);
        await WriteRandomAsync(store, random, live, 60);
        await store.WarmUpAsync();
        await store.FlushIndexFilesAsync();
        var first = SegmentFiles();
        Assert.Single(first);
        var firstWrite = File.GetLastWriteTimeUtc(first[0]);
        var firstLength = new FileInfo(first[0]).Length;

        await WriteRandomAsync(store, random, live, 8); // replacements and deletions too: deletion marks on the first segment
        await store.FlushIndexFilesAsync();

        // A segment is written whenever ten changes are pending when the background task has applied a commit: one
        // new segment, or two when that task ran between the eight writes. The first is never rewritten.
        var now = SegmentFiles();
        Assert.InRange(now.Length, 2, 3);
        Assert.Contains(first[0], now);
        Assert.Equal(firstWrite, File.GetLastWriteTimeUtc(first[0]));
        Assert.All(now.Where(f => f != first[0]), added => Assert.True(new FileInfo(added).Length < firstLength, "a new segment holds only the changes"));
        await using var rebuilt = Open(persist: false);
        await AssertSameResultsAsync(store, rebuilt, random);
        await using var reopened = Open();
        await reopened.WarmUpAsync();
        Assert.True(reopened.IsLexiconPersisted);
        await AssertSameResultsAsync(reopened, rebuilt, random);
    }

    [Fact]
    public async Task ManySegments_AreMergedInTheBackground_AndOldFilesDeleted()
    {
        var random = new Random(23);
        var live = new HashSet<string>();
        await using (var store = Open(rewriteAfter: 3))
        {
            await WriteRandomAsync(store, random, live, 10);
            await store.WarmUpAsync();
            for (var round = 0; round < 30; round++)
            {
                await WriteRandomAsync(store, random, live, 2);
                await store.FlushIndexFilesAsync();
                Assert.InRange(SegmentFiles().Length, 1, 9);
            }
            await using var rebuilt = Open(persist: false);
            await AssertSameResultsAsync(store, rebuilt, random);
        }
        await using var reopened = Open();
        await using var again = Open(persist: false);
        await reopened.WarmUpAsync();
        Assert.True(reopened.IsLexiconPersisted);
        await AssertSameResultsAsync(reopened, again, random);
        Assert.Equal(live.Count, (await reopened.GetStatsAsync()).Documents);
    }

    [Fact]
    public async Task TwoProcessesWritingSegments_EachSearchesLikeARebuild()
    {
        var random = new Random(31);
        var live = new HashSet<string>();
        await using var one = Open(rewriteAfter: 4);
        await using var two = Open(rewriteAfter: 4);
        await WriteRandomAsync(one, random, live, 10);
        await one.WarmUpAsync();
        await two.WarmUpAsync();
        for (var round = 0; round < 10; round++)
        {
            await WriteRandomAsync(round % 2 == 0 ? one : two, random, live, 5);
            await one.FlushIndexFilesAsync();
            await two.FlushIndexFilesAsync();
        }
        await using var rebuilt = Open(persist: false);
        await AssertSameResultsAsync(one, rebuilt, random);
        await AssertSameResultsAsync(two, rebuilt, random);
        await using var reopened = Open();
        await reopened.WarmUpAsync();
        Assert.True(reopened.IsLexiconPersisted);
        await AssertSameResultsAsync(reopened, rebuilt, random);
    }

    [Theory]
    [InlineData("single-file")] // the lexicon of earlier releases: one whole file at the lexicon's path
    [InlineData("older-analyzer")] // a manifest whose terms an older text analyzer wrote
    public async Task LexiconOfAnotherAnalyzerVersion_IsRebuiltFromSqlite_NeverServed(string kind)
    {
        var random = new Random(41);
        await using (var store = Open())
        {
            await WriteRandomAsync(store, random, [], 40);
            await store.WarmUpAsync();
            await store.FlushIndexFilesAsync();
        }
        var path = DbPath + ".lexicon";
        var manifest = LexiconManifest.Read(path);
        Assert.Equal(TextAnalyzer.Version, manifest.AnalyzerVersion);
        if (kind == "single-file")
        {
            var segment = SegmentFiles().Single();
            var bytes = await File.ReadAllBytesAsync(segment);
            BitConverter.GetBytes(1).CopyTo(bytes, 8);
            await File.WriteAllBytesAsync(path, bytes);
            File.Delete(segment);
        }
        else
        {
            LexiconManifest.Write(path, manifest with { AnalyzerVersion = TextAnalyzer.Version - 1 });
        }

        await using var reopened = Open();
        await using var rebuilt = Open(persist: false);
        await reopened.WarmUpAsync();
        Assert.False(reopened.IsLexiconPersisted, "a lexicon of another analyzer version is not served");
        await AssertSameResultsAsync(reopened, rebuilt, random);
        await reopened.FlushIndexFilesAsync();
        Assert.True(reopened.IsLexiconPersisted, "a current file replaced it");
        Assert.Equal(TextAnalyzer.Version, LexiconManifest.Read(path).AnalyzerVersion);
    }

    [Theory]
    [InlineData("corrupt")]
    [InlineData("partial")]
    [InlineData("foreign")]
    [InlineData("garbage")]
    [InlineData("segment-corrupt")]
    [InlineData("segment-missing")]
    public async Task DamagedOrForeignFile_IsRebuiltFromSqlite_NeverServed(string damage)
    {
        var random = new Random(3);
        var live = new HashSet<string>();
        await using (var store = Open())
        {
            await WriteRandomAsync(store, random, live, 30);
            await store.WarmUpAsync();
            await store.FlushIndexFilesAsync();
        }
        var path = DbPath + ".lexicon";
        var bytes = await File.ReadAllBytesAsync(path);
        switch (damage)
        {
            case "corrupt":
                bytes[bytes.Length / 2] ^= 0x5A; // one flipped byte in the postings
                await File.WriteAllBytesAsync(path, bytes);
                break;
            case "partial":
                await File.WriteAllBytesAsync(path, bytes[..(bytes.Length - 100)]);
                break;
            case "foreign":
                await using (var other = new SqliteIndexStore(new SqliteIndexOptions { Path = Path.Combine(_directory, "other.db") }))
                {
                    await WriteRandomAsync(other, new Random(99), [], 30);
                    await other.WarmUpAsync();
                    await other.FlushIndexFilesAsync();
                    File.Copy(other.LexiconPath, path, overwrite: true);
                }
                break;
            case "segment-corrupt":
                var segment = SegmentFiles().Single();
                var segmentBytes = await File.ReadAllBytesAsync(segment);
                segmentBytes[segmentBytes.Length / 2] ^= 0x5A;
                await File.WriteAllBytesAsync(segment, segmentBytes);
                break;
            case "segment-missing":
                File.Delete(SegmentFiles().Single());
                break;
            default:
                await File.WriteAllTextAsync(path, "not an index");
                break;
        }

        await using var reopened = Open();
        await using var rebuilt = Open(persist: false);
        await reopened.WarmUpAsync();
        Assert.False(reopened.IsLexiconPersisted, "the damaged file is not served");
        await AssertSameResultsAsync(reopened, rebuilt, random);
        await reopened.FlushIndexFilesAsync();
        Assert.True(reopened.IsLexiconPersisted, "a good file replaced it");
    }

    private string[] SegmentFiles() => Directory.GetFiles(_directory, "index.db.lexicon.*.seg");

    private SqliteIndexStore Open(bool persist = true, int rewriteAfter = 2_000) =>
        new(new SqliteIndexOptions { Path = DbPath, PersistLexicon = persist, LexiconRewriteChanges = rewriteAfter });

    private static async Task AssertSameResultsAsync(SqliteIndexStore actual, SqliteIndexStore expected, Random random)
    {
        for (var q = 0; q < 25; q++)
        {
            var text = string.Join(' ', Enumerable.Range(0, random.Next(1, 4)).Select(_ => s_vocabulary[random.Next(s_vocabulary.Length)]));
            var analyzed = TextAnalyzer.Default.AnalyzeForIndex(text);
            var query = new IndexQuery(analyzed.Terms, analyzed.CharNGrams, null, 8);
            var want = await expected.SearchAsync(query);
            var got = await actual.SearchAsync(query);
            Assert.Equal(want.Select(h => (h.DocumentId, h.Ordinal, h.Text)), got.Select(h => (h.DocumentId, h.Ordinal, h.Text)));
            Assert.Equal(want.Select(h => h.Score), got.Select(h => h.Score), (a, b) => Math.Abs(a - b) < 1e-6);
            var stats = await actual.GetTermStatisticsAsync(analyzed.Terms);
            Assert.Equal((await expected.GetTermStatisticsAsync(analyzed.Terms)).DocumentFrequency, stats.DocumentFrequency);
        }
    }

    /// <summary>Adds, replaces and deletes documents of a few random chunks.</summary>
    private static async Task WriteRandomAsync(SqliteIndexStore store, Random random, HashSet<string> live, int writes)
    {
        await store.InitializeAsync();
        for (var w = 0; w < writes; w++)
        {
            if (live.Count > 3 && random.NextDouble() < 0.2)
            {
                var victim = live.ElementAt(random.Next(live.Count));
                await store.DeleteDocumentAsync(victim);
                live.Remove(victim);
                continue;
            }
            var id = live.Count > 0 && random.NextDouble() < 0.3 ? live.ElementAt(random.Next(live.Count)) : $"doc{random.Next(100_000)}";
            var chunks = Enumerable.Range(0, random.Next(1, 4))
                .Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(3, 12)).Select(_ => s_vocabulary[random.Next(s_vocabulary.Length)])))
                .ToList();
            await store.UpsertDocumentAsync(Document(id, chunks));
            live.Add(id);
        }
    }

    private static IndexedDocument Document(string id, IReadOnlyList<string> chunkTexts)
    {
        var chunks = new List<ChunkToIndex>();
        var offset = 0;
        for (var i = 0; i < chunkTexts.Count; i++)
        {
            var analyzed = TextAnalyzer.Default.AnalyzeForIndex(chunkTexts[i]);
            chunks.Add(new ChunkToIndex(i, offset, offset + chunkTexts[i].Length, chunkTexts[i], "en", analyzed.Terms, [], null, analyzed.NGramSource));
            offset += chunkTexts[i].Length + 2;
        }
        var text = string.Join("\n\n", chunkTexts);
        return new IndexedDocument(new StoredDocument(id, "/docs/" + id, "Title", "en", null, null, Guid.NewGuid().ToString("N"), text, DateTimeOffset.UnixEpoch), chunks);
    }
}

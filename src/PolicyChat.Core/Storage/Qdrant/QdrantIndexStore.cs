using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Qdrant.Client;
using Qdrant.Client.Grpc;
using PolicyChat.Core.Text;
using static PolicyChat.Core.Storage.Qdrant.QdrantPayloads;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>
/// <see cref="IIndexStore"/> on the official Qdrant.Client over gRPC (port 6334). Collection <c>{Collection}</c>: a point per
/// chunk with sparse vectors "bm25" (words) and "ngram" (character n-grams), both <c>Modifier.Idf</c> over BM25 tf weights
/// (<see cref="QdrantSparseVectors"/>), the dense vector "dense" (cosine) when an embedder is known, keyword indexes on doc_id,
/// language and version. Registry <c>{Collection}_documents</c>: a vector-less point per document (metadata, text, committed
/// version, counts for BM25's avgLen) and one for the embedder.
/// Atomic replace: a new version's chunks are upserted (<c>wait: true</c>), then its registry point (the commit), then other
/// versions are deleted by filter; searches return only committed versions, so the old version is served until the commit.
/// Fusion: by default a <c>QueryBatch</c> of one query per leg (filter in each) fused here by weighted RRF with per-leg ranks;
/// with <see cref="QdrantOptions.ServerSideFusion"/> one query of a prefetch per leg fused by Qdrant's RRF (weighted from 1.17).
/// </summary>
public sealed class QdrantIndexStore : IIndexStore
{
    public const string DenseVectorName = "dense";
    public const string WordsVectorName = "bm25";
    public const string NGramsVectorName = "ngram";

    private static readonly string[] s_chunkIndexes = ["doc_id", "language", "version"];
    private static readonly string[] s_registryIndexes = ["kind", "doc_id", "language"];
    private static readonly Condition s_isDocument = Conditions.MatchKeyword("kind", "document");

    private readonly QdrantCalls _calls;
    private readonly QdrantClient _client;
    private readonly QdrantOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, RegistryEntry> _registry = new(StringComparer.Ordinal);
    private volatile bool _initialized;
    private volatile bool _registryLoaded;
    private volatile bool _analyzerRecorded;

    /// <param name="handlerFactory">Tests: the HTTP handler for the address of Qdrant:Url (an in-process server); null uses sockets.</param>
    public QdrantIndexStore(QdrantOptions options, ILogger<QdrantIndexStore>? logger = null, Func<Uri, HttpMessageHandler>? handlerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = QdrantOptions.Validate(options) is { Count: > 0 } errors ? throw new ArgumentException(string.Join(" ", errors), nameof(options)) : options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _calls = new QdrantCalls(options, _logger, handlerFactory?.Invoke(options.Peers()[0]));
        _client = new QdrantClient(new QdrantGrpcClient(_calls.Channel.Intercept(_calls)));
    }

    /// <summary>Size of the collection's dense vector once initialized; null when it has none.</summary>
    public int? DenseDimensions { get; private set; }

    /// <summary>The version Qdrant reported in its health check at initialization.</summary>
    public string? ServerVersion { get; private set; }

    /// <summary>
    /// The <see cref="TextAnalyzer.Version"/> that wrote the collection's sparse vectors, read at initialization: recorded
    /// with the first document of an empty collection; a collection holding chunks without the record is version 1.
    /// </summary>
    public int AnalyzerVersion { get; private set; } = TextAnalyzer.Version;

    /// <summary>
    /// Waits for Qdrant's gRPC health check (bounded by <see cref="QdrantOptions.ReadyTimeoutSeconds"/>) and creates missing
    /// collections and indexes; <see cref="QdrantOptions.DenseDimensions"/> sizes the dense vector of a new collection and must match an existing one.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ServerVersion = await _calls.WaitForHealthAsync(cancellationToken);
        await EnsureChunkCollectionAsync(_options.DenseDimensions, cancellationToken);
        var actual = await ReadDenseSizeAsync(cancellationToken);
        if (_options.DenseDimensions is { } wanted && actual is { } existing && wanted != existing)
        {
            throw new QdrantException($"Qdrant collection '{_options.Collection}' stores dense vectors of {existing} dimensions but {wanted} were requested. " +
                "Use the embedder that built the index, or choose another Qdrant:Collection.");
        }
        DenseDimensions = actual;
        // The registry holds no vectors; the unused sparse vector makes it a plain collection on every Qdrant version.
        await EnsureCollectionAsync(_options.DocumentsCollection, ("unused", new SparseVectorParams()), null, s_registryIndexes, cancellationToken);
        await ReadAnalyzerVersionAsync(cancellationToken);
        _initialized = true;
    }

    public async Task<IReadOnlyList<DocumentState>> GetDocumentStatesAsync(CancellationToken cancellationToken = default) =>
        (await ListRegistryAsync(null, cancellationToken)).Select(e => new DocumentState(e.Id, e.SourcePath, e.ContentHash)).ToList();

    public async Task UpsertDocumentAsync(IndexedDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var doc = document.Document;
        ArgumentException.ThrowIfNullOrEmpty(doc.Id, nameof(document));
        await EnsureInitializedAsync(cancellationToken);
        ValidateVectors(document.Chunks);
        await EnsureRegistryLoadedAsync(cancellationToken);
        var version = Guid.NewGuid().ToString("N");
        var entry = new RegistryEntry(doc.Id, doc.SourcePath, doc.Title, doc.Language, doc.Date, doc.Outlet, doc.ContentHash, doc.IngestedAt, version,
            document.Chunks.Count, document.Chunks.Sum(c => (long)c.Terms.Count), document.Chunks.Sum(c => (long)c.NGrams.Count));
        var (averageWords, averageNGrams) = AverageLengths(entry);
        if (!_analyzerRecorded)
        {
            await _client.UpsertAsync(_options.DocumentsCollection, [Analyzer(TextAnalyzer.Version)], wait: true, cancellationToken: cancellationToken);
            _analyzerRecorded = true;
        }
        try
        {
            foreach (var batch in document.Chunks.Chunk(_options.BatchSize))
            {
                var points = batch.Select(chunk => Chunk(doc, version, chunk, averageWords, averageNGrams)).ToList();
                await _client.UpsertAsync(_options.Collection, points, wait: true, cancellationToken: cancellationToken);
            }
            await _client.UpsertAsync(_options.DocumentsCollection, [Registry(entry, doc.Text)], wait: true, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A commit may have been applied although no answer came back: look before removing the new version.
            var (read, current) = await TryReadRegistryAsync(doc.Id);
            if (current?.Version != version)
            {
                if (read)
                {
                    await TryDeleteChunksAsync(doc.Id, version, keepVersion: false);
                }
                throw;
            }
            _logger.LogWarning(ex, "Qdrant registry write for {DocumentId} reported an error but was applied", doc.Id);
        }
        _registry[doc.Id] = entry;
        await TryDeleteChunksAsync(doc.Id, version, keepVersion: true);
    }

    public async Task<bool> DeleteDocumentAsync(string documentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documentId);
        await EnsureInitializedAsync(cancellationToken);
        var existed = (await ReadRegistryAsync([documentId], AllButText, cancellationToken)).Count > 0;
        if (existed)
        {
            await _client.DeleteAsync(_options.DocumentsCollection, QdrantPointIds.Document(documentId), wait: true, cancellationToken: cancellationToken);
        }
        _registry.TryRemove(documentId, out _);
        await TryDeleteChunksAsync(documentId, null, keepVersion: false);
        return existed;
    }

    public async Task<StoredDocument?> GetDocumentAsync(string documentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documentId);
        await EnsureInitializedAsync(cancellationToken);
        var point = (await ReadRegistryAsync([documentId], true, cancellationToken)).FirstOrDefault();
        var e = point is null ? null : ReadRegistry(point.Payload);
        return e is null ? null : new StoredDocument(e.Id, e.SourcePath, e.Title, e.Language, e.Date, e.Outlet, e.ContentHash, Str(point!.Payload, "text"), e.IngestedAt);
    }

    public async Task<IReadOnlyList<DocumentSummary>> ListDocumentsAsync(SearchFilter? filter = null, CancellationToken cancellationToken = default) =>
        (await ListRegistryAsync(filter, cancellationToken))
            .Select(e => new DocumentSummary(e.Id, e.SourcePath, e.Title, e.Language, e.Date, e.Outlet, e.ContentHash, e.ChunkCount, e.IngestedAt))
            .ToList();

    public async Task<IReadOnlyList<ChunkHit>> SearchAsync(IndexQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit <= 0)
        {
            return [];
        }
        await EnsureInitializedAsync(cancellationToken);
        var weights = query.Weights ?? new FusionWeights();
        if (query.Vector is { Length: > 0 } vector && DenseDimensions is { } size && vector.Length != size)
        {
            throw new ArgumentException($"The query vector has {vector.Length} dimensions but the index stores {size}; use the embedder that built the index.", nameof(query));
        }
        var legs = new[]
        {
            query.Terms is { Count: > 0 } && weights.Words > 0 ? new Leg(0, WordsVectorName, SparseQuery(QdrantSparseVectors.ForQuery(query.Terms)), weights.Words) : null,
            query.NGrams is { Count: > 0 } && weights.NGrams > 0 ? new Leg(1, NGramsVectorName, SparseQuery(QdrantSparseVectors.ForQuery(query.NGrams)), weights.NGrams) : null,
            query.Vector is { Length: > 0 } && weights.Dense > 0 && DenseDimensions is not null
                ? new Leg(2, DenseVectorName, (Query)query.Vector, weights.Dense) : null,
        }.OfType<Leg>().ToList();
        if (legs.Count == 0)
        {
            return [];
        }
        var perLeg = (ulong)Math.Max(weights.CandidatesPerLeg, query.Limit);
        var filter = FromSearchFilter(query.Filter);
        if (_options.ServerSideFusion)
        {
            return await FusedQueryAsync(legs, filter, perLeg, weights.RrfK, query.Limit, cancellationToken);
        }
        var queries = legs.Select(leg => new QueryPoints
        {
            CollectionName = _options.Collection, Query = leg.Query, Using = leg.VectorName, Filter = filter, Limit = perLeg, WithPayload = true, WithVectors = false,
        }).ToList();
        var results = await _client.QueryBatchAsync(_options.Collection, queries, cancellationToken: cancellationToken);
        var candidates = results.Select(r => r.Result.Select(ReadCandidate).ToList()).ToArray();
        await HideUncommittedAsync(candidates, cancellationToken);
        return RankFusion(legs, candidates, weights.RrfK, query.Limit);
    }

    public async Task<EmbedderInfo?> GetEmbedderAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken);
        var points = await _client.RetrieveAsync(_options.DocumentsCollection, [QdrantPointIds.Embedder], true, false, cancellationToken: cancellationToken);
        return points.Count > 0 ? ReadEmbedder(points[0].Payload) : null;
    }

    /// <summary>
    /// Records the embedder. A chunk collection without a dense vector gets one by being re-created with it, only while it
    /// holds no chunks (set Qdrant:DenseDimensions to create it with the collection); a different existing size is an error.
    /// </summary>
    public async Task SetEmbedderAsync(EmbedderInfo embedder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentOutOfRangeException.ThrowIfLessThan(embedder.Dimensions, 1, nameof(embedder));
        await EnsureInitializedAsync(cancellationToken);
        if (DenseDimensions is { } existing && existing != embedder.Dimensions)
        {
            throw new InvalidOperationException($"Qdrant collection '{_options.Collection}' stores dense vectors of {existing} dimensions but embedder '{embedder.Model}' " +
                $"produces {embedder.Dimensions}. Re-create the collection (or choose another Qdrant:Collection) to switch embedders.");
        }
        if (DenseDimensions is null)
        {
            var chunks = await _client.CountAsync(_options.Collection, exact: true, cancellationToken: cancellationToken);
            if (chunks > 0)
            {
                throw new QdrantException($"Qdrant collection '{_options.Collection}' holds {chunks} chunks without dense vectors. Set Qdrant:DenseDimensions to " +
                    $"{embedder.Dimensions} and copy it into a new collection (policychat reindex --from qdrant), or choose another Qdrant:Collection.");
            }
            await _client.DeleteCollectionAsync(_options.Collection, cancellationToken: cancellationToken);
            await EnsureChunkCollectionAsync(embedder.Dimensions, cancellationToken);
            DenseDimensions = await ReadDenseSizeAsync(cancellationToken);
        }
        await _client.UpsertAsync(_options.DocumentsCollection, [Embedder(embedder)], wait: true, cancellationToken: cancellationToken);
    }

    /// <summary>Documents = registry entries; Chunks = exact count of chunk points actually stored.</summary>
    public async Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken);
        var documents = await _client.CountAsync(_options.DocumentsCollection, s_isDocument, exact: true, cancellationToken: cancellationToken);
        var chunks = await _client.CountAsync(_options.Collection, exact: true, cancellationToken: cancellationToken);
        return new IndexStats((int)documents, (int)chunks, await GetEmbedderAsync(cancellationToken));
    }

    public ValueTask DisposeAsync()
    {
        _calls.Dispose();
        return ValueTask.CompletedTask;
    }

    internal static bool SupportsWeightedRrf(string? version) => Version.TryParse((version ?? "").Split('-')[0], out var v) && v >= new Version(1, 17);

    private async Task ReadAnalyzerVersionAsync(CancellationToken cancellationToken)
    {
        var points = await _client.RetrieveAsync(_options.DocumentsCollection, [QdrantPointIds.Analyzer], true, false, cancellationToken: cancellationToken);
        _analyzerRecorded = points.Count > 0 || await _client.CountAsync(_options.Collection, exact: false, cancellationToken: cancellationToken) > 0;
        AnalyzerVersion = points.Count > 0 ? ReadAnalyzer(points[0].Payload) : _analyzerRecorded ? 1 : TextAnalyzer.Version;
        if (AnalyzerVersion != TextAnalyzer.Version)
        {
            _logger.LogWarning("Qdrant collection '{Collection}' holds terms of text analyzer version {Old}, and this PolicyChat analyzes text as version {New}: " +
                "words whose terms changed match fewer passages. Copy it into a new collection, which analyzes it again (policychat reindex --from qdrant " +
                "--from-collection {Collection} --collection {Collection}_v{New}), then set Qdrant:Collection.",
                _options.Collection, AnalyzerVersion, TextAnalyzer.Version, _options.Collection, _options.Collection, TextAnalyzer.Version);
        }
    }

    private Task EnsureInitializedAsync(CancellationToken cancellationToken) => _initialized ? Task.CompletedTask : InitializeAsync(cancellationToken);

    private Task EnsureChunkCollectionAsync(int? denseDimensions, CancellationToken cancellationToken)
    {
        var idf = new SparseVectorParams { Modifier = Modifier.Idf };
        var dense = denseDimensions is { } size ? new VectorParamsMap { Map = { [DenseVectorName] = new VectorParams { Size = (ulong)size, Distance = Distance.Cosine } } } : null;
        return EnsureCollectionAsync(_options.Collection, new Dictionary<string, SparseVectorParams> { [WordsVectorName] = idf, [NGramsVectorName] = idf }, dense, s_chunkIndexes,
            cancellationToken);
    }

    private async Task EnsureCollectionAsync(string name, SparseVectorConfig sparse, VectorParamsMap? dense, string[] keywordIndexes, CancellationToken cancellationToken)
    {
        try
        {
            if (!await _client.CollectionExistsAsync(name, cancellationToken))
            {
                await _client.CreateCollectionAsync(name, dense, (uint)_options.Shards, (uint)_options.Replicas, sparseVectorsConfig: sparse, cancellationToken: cancellationToken);
            }
        }
        catch (QdrantException ex) when (ex.StatusCode == StatusCode.AlreadyExists || ex.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
        {
            // created concurrently by another process
        }
        foreach (var field in keywordIndexes)
        {
            await _client.CreatePayloadIndexAsync(name, field, PayloadSchemaType.Keyword, cancellationToken: cancellationToken);
        }
    }

    private async Task<int?> ReadDenseSizeAsync(CancellationToken cancellationToken)
    {
        var parameters = (await _client.GetCollectionInfoAsync(_options.Collection, cancellationToken)).Config.Params;
        var foreign = $"Qdrant collection '{_options.Collection}' was not created by PolicyChat: it ";
        if (parameters.SparseVectorsConfig?.Map is not { } sparse || !sparse.ContainsKey(WordsVectorName) || !sparse.ContainsKey(NGramsVectorName))
        {
            throw new QdrantException(foreign + $"lacks the sparse vectors '{WordsVectorName}' and '{NGramsVectorName}'. Choose another Qdrant:Collection.");
        }
        return parameters.VectorsConfig?.ConfigCase switch
        {
            VectorsConfig.ConfigOneofCase.Params => throw new QdrantException(foreign + $"has an unnamed dense vector instead of '{DenseVectorName}'. Choose another Qdrant:Collection."),
            VectorsConfig.ConfigOneofCase.ParamsMap when parameters.VectorsConfig.ParamsMap.Map.TryGetValue(DenseVectorName, out var dense) => (int)dense.Size,
            _ => null,
        };
    }

    private void ValidateVectors(IReadOnlyList<ChunkToIndex> chunks)
    {
        foreach (var chunk in chunks.Where(c => c.Vector is not null))
        {
            var problem = DenseDimensions is not { } size
                ? throw new InvalidOperationException($"Chunks carry dense vectors but Qdrant collection '{_options.Collection}' has no dense vector. " +
                    "Call SetEmbedderAsync first or set Qdrant:DenseDimensions before the collection is created.")
                : chunk.Vector!.Length != size ? $"has a vector of {chunk.Vector.Length} dimensions but the index stores {size}"
                : !chunk.Vector.All(float.IsFinite) ? "has a vector with a NaN or infinite value" : null;
            if (problem is not null)
            {
                throw new ArgumentException($"Chunk {chunk.Ordinal} {problem}.", nameof(chunks));
            }
        }
    }

    /// <summary>Mean words and n-grams per chunk over the committed documents and <paramref name="entry"/> (BM25's avgLen).</summary>
    private (double Words, double NGrams) AverageLengths(RegistryEntry entry)
    {
        var all = _registry.Values.Where(e => e.Id != entry.Id).Append(entry).ToList();
        var chunks = all.Sum(e => (double)e.ChunkCount);
        return chunks == 0 ? (1, 1) : (Math.Max(1, all.Sum(e => e.WordCount) / chunks), Math.Max(1, all.Sum(e => e.NGramCount) / chunks));
    }

    /// <summary>Deletes chunk points of a document: of <paramref name="version"/> (all when null), or of every other version when <paramref name="keepVersion"/>; failures are logged.</summary>
    private async Task TryDeleteChunksAsync(string documentId, string? version, bool keepVersion)
    {
        var filter = new Filter { Must = { Conditions.MatchKeyword("doc_id", documentId) } };
        if (version is not null)
        {
            (keepVersion ? filter.MustNot : filter.Must).Add(Conditions.MatchKeyword("version", version));
        }
        try
        {
            await _client.DeleteAsync(_options.Collection, filter, wait: true, cancellationToken: CancellationToken.None);
        }
        catch (QdrantException ex)
        {
            _logger.LogWarning(ex, "Qdrant: could not remove {Which} chunks of {DocumentId}; they stay hidden from searches and are removed on its next write",
                keepVersion ? "superseded" : version is null ? "deleted" : "uncommitted", documentId);
        }
    }

    private async Task<(bool Read, RegistryEntry? Entry)> TryReadRegistryAsync(string documentId)
    {
        try
        {
            return (true, (await ReadRegistryAsync([documentId], AllButText, CancellationToken.None)).Select(p => ReadRegistry(p.Payload)).FirstOrDefault());
        }
        catch (QdrantException)
        {
            return (false, null);
        }
    }

    private async Task<List<RetrievedPoint>> ReadRegistryAsync(IEnumerable<string> documentIds, WithPayloadSelector payload, CancellationToken cancellationToken)
    {
        var ids = documentIds.Select(id => (PointId)QdrantPointIds.Document(id)).ToList();
        var points = await _client.RetrieveAsync(_options.DocumentsCollection, ids, payload, false, cancellationToken: cancellationToken);
        return points.Where(p => Str(p.Payload, "kind") == "document").ToList();
    }

    /// <summary>Scrolls the registry (filtered), refreshes the cache with what it read, and returns the entries by id.</summary>
    private async Task<List<RegistryEntry>> ListRegistryAsync(SearchFilter? filter, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        var entries = new List<RegistryEntry>();
        PointId? offset = null;
        do
        {
            var page = await _client.ScrollAsync(_options.DocumentsCollection, FromSearchFilter(filter, s_isDocument), 256, offset, AllButText, false,
                cancellationToken: cancellationToken);
            entries.AddRange(page.Result.Select(p => ReadRegistry(p.Payload)));
            offset = page.NextPageOffset;
        }
        while (offset is not null);
        foreach (var stale in filter is null || filter.IsEmpty ? _registry.Keys.Except(entries.Select(e => e.Id)) : [])
        {
            _registry.TryRemove(stale, out _);
        }
        entries.ForEach(e => _registry[e.Id] = e);
        _registryLoaded |= filter is null || filter.IsEmpty;
        return entries.OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
    }

    private Task EnsureRegistryLoadedAsync(CancellationToken cancellationToken) => _registryLoaded ? Task.CompletedTask : ListRegistryAsync(null, cancellationToken);

    /// <summary>Drops hits whose version is not the committed one; hits that disagree with the cache re-read those registry points first.</summary>
    private async Task HideUncommittedAsync(List<Candidate>[] candidates, CancellationToken cancellationToken)
    {
        await EnsureRegistryLoadedAsync(cancellationToken);
        bool Committed(Candidate c) => _registry.TryGetValue(c.DocumentId, out var entry) && entry.Version == c.Version;
        var stale = candidates.SelectMany(leg => leg).Where(c => !Committed(c)).Select(c => c.DocumentId).ToHashSet(StringComparer.Ordinal);
        if (stale.Count > 0)
        {
            var fresh = await ReadRegistryAsync(stale, AllButText, cancellationToken);
            foreach (var id in stale)
            {
                _registry.TryRemove(id, out _);
            }
            fresh.ForEach(p => _registry[Str(p.Payload, "doc_id")] = ReadRegistry(p.Payload));
        }
        Array.ForEach(candidates, leg => leg.RemoveAll(c => !Committed(c)));
    }

    /// <summary>
    /// One query: a prefetch per leg (filter in each) fused by Qdrant's RRF, weighted from Qdrant 1.17 (older servers fuse
    /// unweighted). Extra candidates are fetched so uncommitted versions can be dropped; per-leg ranks are unknown here.
    /// </summary>
    private async Task<IReadOnlyList<ChunkHit>> FusedQueryAsync(List<Leg> legs, Filter? filter, ulong perLeg, int rrfK, int limit, CancellationToken cancellationToken)
    {
        var rrf = new Rrf { K = (uint)rrfK };
        if (SupportsWeightedRrf(ServerVersion))
        {
            rrf.Weights.AddRange(legs.Select(l => (float)l.Weight));
        }
        var prefetch = legs.Select(leg => new PrefetchQuery { Query = leg.Query, Using = leg.VectorName, Filter = filter, Limit = perLeg }).ToList();
        var points = await _client.QueryAsync(_options.Collection, rrf, prefetch, limit: Math.Min(perLeg, (ulong)(limit * 2) + 10),
            payloadSelector: true, vectorsSelector: false, cancellationToken: cancellationToken);
        var candidates = new[] { points.Select(ReadCandidate).ToList() };
        await HideUncommittedAsync(candidates, cancellationToken);
        return candidates[0].Take(limit).Select(c => c.Hit).ToList();
    }

    private static List<ChunkHit> RankFusion(List<Leg> legs, List<Candidate>[] candidates, int rrfK, int limit)
    {
        var fused = new Dictionary<Guid, (Candidate Candidate, double Score, int?[] Ranks, double?[] Scores)>();
        for (var l = 0; l < legs.Count; l++)
        {
            for (var r = 0; r < candidates[l].Count; r++)
            {
                var c = candidates[l][r];
                var f = fused.TryGetValue(c.PointId, out var found) ? found : (c, 0, new int?[3], new double?[3]);
                if (f.Ranks[legs[l].Kind] is null) // a leg lists each point once; ignore duplicates defensively
                {
                    (f.Ranks[legs[l].Kind], f.Scores[legs[l].Kind]) = (r + 1, c.Hit.Score);
                    fused[c.PointId] = f with { Score = f.Score + (legs[l].Weight / (rrfK + r + 1)) };
                }
            }
        }
        return fused.Values
            .OrderByDescending(f => f.Score).ThenBy(f => f.Candidate.DocumentId, StringComparer.Ordinal).ThenBy(f => f.Candidate.Hit.Ordinal)
            .Take(limit)
            .Select(f => f.Candidate.Hit with { Score = f.Score, Ranks = new LegRanks(f.Ranks[0], f.Ranks[1], f.Ranks[2], f.Scores[0], f.Scores[1], f.Scores[2]) })
            .ToList();
    }

    private static Query SparseQuery(QdrantSparseVector v) => (v.Values, v.Indices);

    /// <summary>One retrieval leg: <see cref="Kind"/> 0 = words, 1 = n-grams, 2 = dense (its slot in <see cref="LegRanks"/>).</summary>
    private sealed record Leg(int Kind, string VectorName, Query Query, double Weight);
}

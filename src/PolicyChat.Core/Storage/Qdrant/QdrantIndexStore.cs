using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>
/// <see cref="IIndexStore"/> over Qdrant's REST API.
/// <para>
/// Layout. The chunk collection <c>{Collection}</c> holds one point per chunk with the sparse vectors "bm25" (word terms)
/// and "ngram" (character n-grams), both with <c>modifier: idf</c>, and optionally the dense vector "dense" (cosine).
/// Chunk payload: doc_id, version, ordinal, start, end, text, title, language, date, outlet (keyword indexes on doc_id,
/// language and version). The registry collection <c>{Collection}_documents</c> holds one vector-less point per
/// document (payload: metadata, content hash, full text, current version, chunk and term counts) and one point for the
/// embedder record, so incremental ingestion trusts the same server that holds the chunks.
/// </para>
/// <para>
/// Atomic replace. Every upsert writes a new version (a fresh GUID): chunk points get ids derived from
/// (doc id, version, ordinal) and are upserted in batches with <c>wait=true</c>; then the registry point is upserted
/// (this single-point write is the commit); then points of that doc_id with another version are deleted. Searches only
/// return chunks whose version is the document's committed version (hits are checked against a registry cache; a
/// mismatch re-reads those registry points first), so a failed or running upsert never shows a half-indexed document
/// and the old version stays searchable until the commit. After a failed batch the new version's points are deleted
/// (best effort); leftovers are invisible and removed by the next upsert or delete of the document.
/// </para>
/// <para>
/// BM25. Document weights are BM25 tf weights (see <see cref="QdrantSparseVectors"/>). avgLen is the mean chunk length
/// (terms per chunk, and n-grams per chunk for the n-gram leg) over the committed documents in the registry plus the
/// document being written, computed from the word/n-gram/chunk counts kept on each registry point. Weights are not
/// recomputed for older documents as the corpus grows; re-ingest to refresh them.
/// </para>
/// <para>
/// Fusion. Each leg with input is queried separately in one <c>POST /points/query/batch</c> request (filter inside
/// every leg) and fused here by weighted reciprocal rank, Σ weight/(RrfK + rank), so <see cref="FusionWeights"/> is
/// honoured on every Qdrant version and each hit carries its per-leg ranks and raw scores.
/// </para>
/// </summary>
public sealed class QdrantIndexStore : IIndexStore
{
    public const string DenseVectorName = "dense";
    public const string WordsVectorName = "bm25";
    public const string NGramsVectorName = "ngram";

    /// <summary>Registry points carry no vectors; the collection declares one unused sparse vector so it is a plain collection everywhere.</summary>
    private const string RegistryVectorName = "unused";

    private static readonly string[] s_chunkIndexes = ["doc_id", "language", "version"];
    private static readonly string[] s_registryIndexes = ["kind", "doc_id", "language"];
    private static readonly string[] s_documentKind = ["document"];

    private readonly QdrantRestClient _rest;
    private readonly QdrantOptions _options;
    private readonly ILogger _logger;
    private readonly string _chunks;
    private readonly string _documents;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private readonly SemaphoreSlim _registryLock = new(1, 1);
    private readonly ConcurrentDictionary<string, RegistryEntry> _registry = new(StringComparer.Ordinal);
    private volatile bool _initialized;
    private volatile bool _registryLoaded;
    private int? _denseDimensions;

    public QdrantIndexStore(HttpClient httpClient, QdrantOptions options, ILogger<QdrantIndexStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var errors = QdrantOptions.Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _rest = new QdrantRestClient(httpClient, options, _logger);
        _chunks = "collections/" + Uri.EscapeDataString(options.Collection);
        _documents = "collections/" + Uri.EscapeDataString(options.DocumentsCollection);
    }

    /// <summary>Size of the collection's dense vector once initialized; null when it has none.</summary>
    public int? DenseDimensions => _denseDimensions;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => InitializeAsync(_options.DenseDimensions, cancellationToken);

    /// <summary>
    /// Waits for GET /readyz (bounded by <see cref="QdrantOptions.ReadyTimeoutSeconds"/>), creates the collections and
    /// payload indexes when missing. <paramref name="denseDimensions"/> sizes the dense vector of a new collection and
    /// must match an existing one.
    /// </summary>
    public async Task InitializeAsync(int? denseDimensions, CancellationToken cancellationToken = default)
    {
        if (denseDimensions is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(denseDimensions), "Dense dimensions must be positive.");
        }
        await _initLock.WaitAsync(cancellationToken);
        try
        {
            await WaitUntilReadyAsync(cancellationToken);
            var chunkBody = QdrantJson.Write((denseDimensions, _options), static (w, s) =>
            {
                w.WriteStartObject();
                w.WriteStartObject("vectors");
                if (s.denseDimensions is { } size)
                {
                    w.WriteStartObject(DenseVectorName);
                    w.WriteNumber("size", size);
                    w.WriteString("distance", "Cosine");
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteStartObject("sparse_vectors");
                foreach (var name in new[] { WordsVectorName, NGramsVectorName })
                {
                    w.WriteStartObject(name);
                    w.WriteString("modifier", "idf");
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                WriteTopology(w, s._options);
                w.WriteEndObject();
            });
            await EnsureCollectionAsync(_chunks, chunkBody, cancellationToken);
            var actual = await ReadChunkCollectionDenseSizeAsync(cancellationToken);
            if (denseDimensions is { } wanted && actual is { } existing && wanted != existing)
            {
                throw new QdrantException(
                    $"Qdrant collection '{_options.Collection}' stores dense vectors of {existing} dimensions but {wanted} were requested. " +
                    "Use the embedder that built the index, or choose another Qdrant:Collection.");
            }
            _denseDimensions = actual;
            foreach (var field in s_chunkIndexes)
            {
                await CreateKeywordIndexAsync(_chunks, field, cancellationToken);
            }

            var registryBody = QdrantJson.Write(_options, static (w, options) =>
            {
                w.WriteStartObject();
                w.WriteStartObject("vectors");
                w.WriteEndObject();
                w.WriteStartObject("sparse_vectors");
                w.WriteStartObject(RegistryVectorName);
                w.WriteEndObject();
                w.WriteEndObject();
                WriteTopology(w, options);
                w.WriteEndObject();
            });
            await EnsureCollectionAsync(_documents, registryBody, cancellationToken);
            foreach (var field in s_registryIndexes)
            {
                await CreateKeywordIndexAsync(_documents, field, cancellationToken);
            }
            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    public async Task<IReadOnlyList<DocumentState>> GetDocumentStatesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken);
        var entries = await ScrollRegistryAsync(null, cancellationToken);
        ReplaceRegistryCache(entries);
        return entries.OrderBy(e => e.Id, StringComparer.Ordinal).Select(e => new DocumentState(e.Id, e.SourcePath, e.ContentHash)).ToList();
    }

    public async Task UpsertDocumentAsync(IndexedDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var doc = document.Document;
        if (string.IsNullOrEmpty(doc.Id))
        {
            throw new ArgumentException("The document id must not be empty.", nameof(document));
        }
        await EnsureInitializedAsync(cancellationToken);
        ValidateVectors(document.Chunks);
        await EnsureRegistryLoadedAsync(cancellationToken);

        var version = Guid.NewGuid().ToString("N");
        long words = 0, ngrams = 0;
        foreach (var chunk in document.Chunks)
        {
            words += chunk.Terms.Count;
            ngrams += chunk.NGrams.Count;
        }
        var (averageWords, averageNGrams) = AverageLengths(doc.Id, document.Chunks.Count, words, ngrams);

        try
        {
            for (var start = 0; start < document.Chunks.Count; start += _options.BatchSize)
            {
                var batch = new ChunkBatch(doc, version, document.Chunks, start, Math.Min(_options.BatchSize, document.Chunks.Count - start), averageWords, averageNGrams);
                var body = QdrantJson.Write(batch, static (w, b) => WriteChunkBatch(w, b));
                await _rest.SendNoResultAsync(HttpMethod.Put, _chunks + "/points?wait=true", body, cancellationToken);
            }
        }
        catch (Exception)
        {
            await TryDeleteChunksAsync(doc.Id, version, keepVersion: false);
            throw;
        }

        var entry = new RegistryEntry(doc.Id, doc.SourcePath, doc.Title, doc.Language, doc.Date, doc.Outlet, doc.ContentHash, doc.IngestedAt,
            version, document.Chunks.Count, words, ngrams);
        try
        {
            var registryBody = QdrantJson.Write((entry, doc.Text), static (w, s) => WriteRegistryPoint(w, s.entry, s.Text));
            await _rest.SendNoResultAsync(HttpMethod.Put, _documents + "/points?wait=true", registryBody, cancellationToken);
        }
        catch (Exception ex)
        {
            // The commit may have been applied even though no answer came back: look before cleaning up.
            var current = await TryReadRegistryEntryAsync(doc.Id);
            if (current is not { Found: true, Entry.Version: var committed } || committed != version)
            {
                if (current.Read)
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
        var existing = await ReadRegistryPointsAsync([documentId], includeText: false, cancellationToken);
        var existed = existing.Count > 0;
        if (existed)
        {
            var body = QdrantJson.Write(documentId, static (w, id) =>
            {
                w.WriteStartObject();
                w.WriteStartArray("points");
                w.WriteStringValue(QdrantPointIds.Document(id));
                w.WriteEndArray();
                w.WriteEndObject();
            });
            await _rest.SendNoResultAsync(HttpMethod.Post, _documents + "/points/delete?wait=true", body, cancellationToken);
        }
        _registry.TryRemove(documentId, out _);
        try
        {
            await DeleteChunksAsync(documentId, null, keepVersion: false, cancellationToken);
        }
        catch (QdrantException ex)
        {
            _logger.LogWarning(ex, "Qdrant: chunks of deleted document {DocumentId} were not removed; they are hidden and removed on its next write", documentId);
        }
        return existed;
    }

    public async Task<StoredDocument?> GetDocumentAsync(string documentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documentId);
        await EnsureInitializedAsync(cancellationToken);
        var points = await ReadRegistryPointsAsync([documentId], includeText: true, cancellationToken);
        if (points.Count == 0)
        {
            return null;
        }
        var (entry, text) = points[0];
        return new StoredDocument(entry.Id, entry.SourcePath, entry.Title, entry.Language, entry.Date, entry.Outlet, entry.ContentHash, text ?? "", entry.IngestedAt);
    }

    public async Task<IReadOnlyList<DocumentSummary>> ListDocumentsAsync(SearchFilter? filter = null, CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken);
        var entries = await ScrollRegistryAsync(filter, cancellationToken);
        if (filter is null || filter.IsEmpty)
        {
            ReplaceRegistryCache(entries);
        }
        else
        {
            foreach (var entry in entries)
            {
                _registry[entry.Id] = entry;
            }
        }
        return entries
            .OrderBy(e => e.Id, StringComparer.Ordinal)
            .Select(e => new DocumentSummary(e.Id, e.SourcePath, e.Title, e.Language, e.Date, e.Outlet, e.ContentHash, e.ChunkCount, e.IngestedAt))
            .ToList();
    }

    public async Task<IReadOnlyList<ChunkHit>> SearchAsync(IndexQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit <= 0)
        {
            return [];
        }
        await EnsureInitializedAsync(cancellationToken);
        var weights = query.Weights ?? new FusionWeights();
        var legs = new List<Leg>(3);
        if (query.Terms is { Count: > 0 } && weights.Words > 0)
        {
            legs.Add(new Leg(LegKind.Words, WordsVectorName, QdrantSparseVectors.ForQuery(query.Terms), null, weights.Words));
        }
        if (query.NGrams is { Count: > 0 } && weights.NGrams > 0)
        {
            legs.Add(new Leg(LegKind.NGrams, NGramsVectorName, QdrantSparseVectors.ForQuery(query.NGrams), null, weights.NGrams));
        }
        if (query.Vector is { Length: > 0 } vector && weights.Dense > 0)
        {
            if (_denseDimensions is not { } size)
            {
                _logger.LogDebug("Qdrant collection has no dense vector; the dense leg is skipped");
            }
            else if (vector.Length != size)
            {
                throw new ArgumentException($"The query vector has {vector.Length} dimensions but the index stores {size}; use the embedder that built the index.", nameof(query));
            }
            else
            {
                legs.Add(new Leg(LegKind.Dense, DenseVectorName, default, vector, weights.Dense));
            }
        }
        if (legs.Count == 0)
        {
            return [];
        }

        var perLeg = Math.Max(weights.CandidatesPerLeg, query.Limit);
        var must = FilterConditions(query.Filter);
        if (_options.ServerSideFusion)
        {
            return await HybridQueryAsync(legs, must, perLeg, weights.RrfK, query.Limit, cancellationToken);
        }
        var body = QdrantJson.Write((legs, must, perLeg), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("searches");
            foreach (var leg in s.legs)
            {
                w.WriteStartObject();
                WriteLegQuery(w, leg, s.must, s.perLeg);
                w.WriteBoolean("with_payload", true);
                w.WriteBoolean("with_vector", false);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
        using var envelope = await _rest.SendAsync(HttpMethod.Post, _chunks + "/points/query/batch", body, cancellationToken);
        var results = QdrantJson.Result(envelope);
        if (results.ValueKind != JsonValueKind.Array || results.GetArrayLength() != legs.Count)
        {
            throw new QdrantException($"Qdrant answered {legs.Count} batched queries with an unexpected result.");
        }
        var candidates = new List<Candidate>[legs.Count];
        for (var i = 0; i < legs.Count; i++)
        {
            candidates[i] = [];
            foreach (var point in results[i].GetProperty("points").EnumerateArray())
            {
                candidates[i].Add(Candidate.Parse(point));
            }
        }

        await HideUncommittedAsync(candidates, cancellationToken);
        return Fuse(legs, candidates, weights.RrfK, query.Limit);
    }

    public async Task<EmbedderInfo?> GetEmbedderAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken);
        var body = IdsRequest([QdrantPointIds.Embedder], includeText: true);
        using var envelope = await _rest.SendAsync(HttpMethod.Post, _documents + "/points", body, cancellationToken);
        foreach (var point in QdrantJson.Result(envelope).EnumerateArray())
        {
            var payload = point.GetProperty("payload");
            return new EmbedderInfo(QdrantJson.RequireString(payload, "endpoint"), QdrantJson.RequireString(payload, "model"), QdrantJson.GetInt(payload, "dimensions"),
                QdrantJson.GetString(payload, "tokenizer"));
        }
        return null;
    }

    /// <summary>
    /// Records the embedder. When the collection has no dense vector yet it is added with the embedder's size
    /// (PUT /collections/{c}/vectors/dense, Qdrant 1.19+); a different existing size is an error.
    /// </summary>
    public async Task SetEmbedderAsync(EmbedderInfo embedder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        if (embedder.Dimensions < 1)
        {
            throw new ArgumentException("The embedder must report a positive number of dimensions.", nameof(embedder));
        }
        await EnsureInitializedAsync(cancellationToken);
        if (_denseDimensions is { } existing && existing != embedder.Dimensions)
        {
            throw new InvalidOperationException(
                $"Qdrant collection '{_options.Collection}' stores dense vectors of {existing} dimensions but embedder '{embedder.Model}' produces {embedder.Dimensions}. " +
                "Re-create the collection (or choose another Qdrant:Collection) to switch embedders.");
        }
        if (_denseDimensions is null)
        {
            var vectorBody = QdrantJson.Write(embedder.Dimensions, static (w, size) =>
            {
                w.WriteStartObject();
                w.WriteStartObject("dense");
                w.WriteNumber("size", size);
                w.WriteString("distance", "Cosine");
                w.WriteEndObject();
                w.WriteEndObject();
            });
            try
            {
                await _rest.SendNoResultAsync(HttpMethod.Put, $"{_chunks}/vectors/{DenseVectorName}?wait=true", vectorBody, cancellationToken);
            }
            catch (QdrantException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
            {
                throw new QdrantException(
                    $"Qdrant collection '{_options.Collection}' has no dense vector and this server cannot add one (needs Qdrant 1.19+). " +
                    $"Set Qdrant:DenseDimensions to {embedder.Dimensions} and re-create the collection.", ex.StatusCode, ex.ServerError, ex);
            }
            _denseDimensions = embedder.Dimensions;
        }
        var body = QdrantJson.Write(embedder, static (w, e) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("points");
            w.WriteStartObject();
            w.WriteString("id", QdrantPointIds.Embedder);
            w.WriteStartObject("vector");
            w.WriteEndObject();
            w.WriteStartObject("payload");
            w.WriteString("kind", "embedder");
            w.WriteString("endpoint", e.Endpoint);
            w.WriteString("model", e.Model);
            w.WriteNumber("dimensions", e.Dimensions);
            QdrantJson.WriteNullableString(w, "tokenizer", e.Tokenizer);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
        await _rest.SendNoResultAsync(HttpMethod.Put, _documents + "/points?wait=true", body, cancellationToken);
    }

    /// <summary>Documents = registry entries; Chunks = exact count of chunk points actually stored.</summary>
    public async Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken);
        var documents = await CountAsync(_documents, [new MatchCondition("kind", s_documentKind)], cancellationToken);
        var chunks = await CountAsync(_chunks, [], cancellationToken);
        var embedder = await GetEmbedderAsync(cancellationToken);
        return new IndexStats(documents, chunks, embedder);
    }

    public ValueTask DisposeAsync()
    {
        _initLock.Dispose();
        _registryLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken);
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var budget = TimeSpan.FromSeconds(_options.ReadyTimeoutSeconds);
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var probeTimeout = TimeSpan.FromSeconds(Math.Min(_options.TimeoutSeconds, 5));
            var (status, text) = await _rest.ProbeAsync("readyz", probeTimeout, cancellationToken);
            // 200 = ready; 401/403/404: the server answers but has no (public) readiness endpoint, so requests will tell.
            if (status is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return;
            }
            var remaining = budget - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                var answer = status is { } s ? $"answered {(int)s} {text.Trim()}" : "did not answer (" + text + ")";
                throw new QdrantException(
                    $"Qdrant at {_rest.BaseUri} was not ready within {_options.ReadyTimeoutSeconds} s: GET /readyz {answer}. Check Qdrant:Url or raise Qdrant:ReadyTimeoutSeconds.",
                    status, text);
            }
            await Task.Delay(delay < remaining ? delay : remaining, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
    }

    private async Task EnsureCollectionAsync(string collectionPath, ReadOnlyMemory<byte> createBody, CancellationToken cancellationToken)
    {
        using (var exists = await _rest.SendAsync(HttpMethod.Get, collectionPath + "/exists", null, cancellationToken))
        {
            if (QdrantJson.Result(exists).GetProperty("exists").GetBoolean())
            {
                return;
            }
        }
        using var response = await _rest.SendRawAsync(HttpMethod.Put, collectionPath, createBody, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return; // created concurrently by another process
        }
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var error = await QdrantRestClient.ReadErrorAsync(response, cancellationToken);
            if (error.Contains("already exists", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
        }
        await QdrantRestClient.EnsureSuccessAsync(response, HttpMethod.Put, collectionPath, cancellationToken);
    }

    private async Task<int?> ReadChunkCollectionDenseSizeAsync(CancellationToken cancellationToken)
    {
        using var envelope = await _rest.SendAsync(HttpMethod.Get, _chunks, null, cancellationToken);
        var parameters = QdrantJson.Result(envelope).GetProperty("config").GetProperty("params");
        var foreign = $"Qdrant collection '{_options.Collection}' was not created by PolicyChat";
        if (!parameters.TryGetProperty("sparse_vectors", out var sparse) || sparse.ValueKind != JsonValueKind.Object
            || !sparse.TryGetProperty(WordsVectorName, out _) || !sparse.TryGetProperty(NGramsVectorName, out _))
        {
            throw new QdrantException($"{foreign}: it lacks the sparse vectors '{WordsVectorName}' and '{NGramsVectorName}'. Choose another Qdrant:Collection.");
        }
        if (!parameters.TryGetProperty("vectors", out var vectors) || vectors.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (vectors.TryGetProperty("size", out _))
        {
            throw new QdrantException($"{foreign}: it has an unnamed dense vector instead of '{DenseVectorName}'. Choose another Qdrant:Collection.");
        }
        return vectors.TryGetProperty(DenseVectorName, out var dense) && dense.TryGetProperty("size", out var size) ? size.GetInt32() : null;
    }

    private Task CreateKeywordIndexAsync(string collectionPath, string field, CancellationToken cancellationToken)
    {
        var body = QdrantJson.Write(field, static (w, f) =>
        {
            w.WriteStartObject();
            w.WriteString("field_name", f);
            w.WriteString("field_schema", "keyword");
            w.WriteEndObject();
        });
        return _rest.SendNoResultAsync(HttpMethod.Put, collectionPath + "/index?wait=true", body, cancellationToken);
    }

    private static void WriteTopology(Utf8JsonWriter w, QdrantOptions options)
    {
        w.WriteNumber("shard_number", options.Shards);
        w.WriteNumber("replication_factor", options.Replicas);
    }

    private void ValidateVectors(IReadOnlyList<ChunkToIndex> chunks)
    {
        foreach (var chunk in chunks)
        {
            if (chunk.Vector is not { } vector)
            {
                continue;
            }
            if (_denseDimensions is not { } size)
            {
                throw new InvalidOperationException(
                    $"Chunks carry dense vectors but Qdrant collection '{_options.Collection}' has no dense vector. " +
                    "Call SetEmbedderAsync first or set Qdrant:DenseDimensions before the collection is created.");
            }
            if (vector.Length != size)
            {
                throw new ArgumentException($"Chunk {chunk.Ordinal} has a vector of {vector.Length} dimensions but the index stores {size}.", nameof(chunks));
            }
            foreach (var value in vector)
            {
                if (!float.IsFinite(value))
                {
                    throw new ArgumentException($"Chunk {chunk.Ordinal} has a vector with a NaN or infinite value.", nameof(chunks));
                }
            }
        }
    }

    private (double Words, double NGrams) AverageLengths(string documentId, int chunkCount, long words, long ngrams)
    {
        long totalChunks = chunkCount, totalWords = words, totalNGrams = ngrams;
        foreach (var (id, entry) in _registry)
        {
            if (id == documentId)
            {
                continue;
            }
            totalChunks += entry.ChunkCount;
            totalWords += entry.WordCount;
            totalNGrams += entry.NGramCount;
        }
        return totalChunks == 0 ? (1, 1) : (Math.Max(1.0, (double)totalWords / totalChunks), Math.Max(1.0, (double)totalNGrams / totalChunks));
    }

    private static void WriteChunkBatch(Utf8JsonWriter w, ChunkBatch b)
    {
        var doc = b.Document;
        w.WriteStartObject();
        w.WriteStartArray("points");
        for (var i = b.Start; i < b.Start + b.Count; i++)
        {
            var chunk = b.Chunks[i];
            w.WriteStartObject();
            w.WriteString("id", QdrantPointIds.Chunk(doc.Id, b.Version, chunk.Ordinal));
            w.WriteStartObject("vector");
            if (chunk.Terms.Count > 0)
            {
                QdrantJson.WriteSparse(w, WordsVectorName, QdrantSparseVectors.ForDocument(chunk.Terms, b.AverageWords));
            }
            if (chunk.NGrams.Count > 0)
            {
                QdrantJson.WriteSparse(w, NGramsVectorName, QdrantSparseVectors.ForDocument(chunk.NGrams, b.AverageNGrams));
            }
            if (chunk.Vector is { } dense)
            {
                w.WritePropertyName(DenseVectorName);
                QdrantJson.WriteDense(w, dense);
            }
            w.WriteEndObject();
            w.WriteStartObject("payload");
            w.WriteString("doc_id", doc.Id);
            w.WriteString("version", b.Version);
            w.WriteNumber("ordinal", chunk.Ordinal);
            w.WriteNumber("start", chunk.Start);
            w.WriteNumber("end", chunk.End);
            if (chunk.Page is { } page)
            {
                w.WriteNumber("page", page);
            }
            w.WriteString("text", chunk.Text);
            w.WriteString("title", doc.Title);
            w.WriteString("language", chunk.Language);
            QdrantJson.WriteNullableString(w, "date", doc.Date);
            QdrantJson.WriteNullableString(w, "outlet", doc.Outlet);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRegistryPoint(Utf8JsonWriter w, RegistryEntry e, string text)
    {
        w.WriteStartObject();
        w.WriteStartArray("points");
        w.WriteStartObject();
        w.WriteString("id", QdrantPointIds.Document(e.Id));
        w.WriteStartObject("vector");
        w.WriteEndObject();
        w.WriteStartObject("payload");
        w.WriteString("kind", "document");
        w.WriteString("doc_id", e.Id);
        w.WriteString("source_path", e.SourcePath);
        w.WriteString("title", e.Title);
        w.WriteString("language", e.Language);
        QdrantJson.WriteNullableString(w, "date", e.Date);
        QdrantJson.WriteNullableString(w, "outlet", e.Outlet);
        w.WriteString("content_hash", e.ContentHash);
        w.WriteString("ingested_at", e.IngestedAt.ToString("O", CultureInfo.InvariantCulture));
        w.WriteString("version", e.Version);
        w.WriteNumber("chunk_count", e.ChunkCount);
        w.WriteNumber("word_count", e.WordCount);
        w.WriteNumber("ngram_count", e.NGramCount);
        w.WriteString("text", text);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Deletes chunk points of a document: of <paramref name="version"/>, or of every other version when <paramref name="keepVersion"/>.</summary>
    private Task DeleteChunksAsync(string documentId, string? version, bool keepVersion, CancellationToken cancellationToken)
    {
        var body = QdrantJson.Write((documentId, version, keepVersion), static (w, s) =>
        {
            w.WriteStartObject();
            w.WritePropertyName("filter");
            var must = new List<MatchCondition> { new("doc_id", [s.documentId]) };
            List<MatchCondition>? mustNot = null;
            if (s.version is not null)
            {
                if (s.keepVersion)
                {
                    mustNot = [new("version", [s.version])];
                }
                else
                {
                    must.Add(new("version", [s.version]));
                }
            }
            QdrantJson.WriteFilter(w, must, mustNot);
            w.WriteEndObject();
        });
        return _rest.SendNoResultAsync(HttpMethod.Post, _chunks + "/points/delete?wait=true", body, cancellationToken);
    }

    private async Task TryDeleteChunksAsync(string documentId, string version, bool keepVersion)
    {
        try
        {
            await DeleteChunksAsync(documentId, version, keepVersion, CancellationToken.None);
        }
        catch (QdrantException ex)
        {
            _logger.LogWarning(ex, "Qdrant: could not remove {Which} chunks of {DocumentId}; they stay hidden from searches and are removed on its next write",
                keepVersion ? "superseded" : "uncommitted", documentId);
        }
    }

    private async Task<(bool Read, bool Found, RegistryEntry? Entry)> TryReadRegistryEntryAsync(string documentId)
    {
        try
        {
            var points = await ReadRegistryPointsAsync([documentId], includeText: false, CancellationToken.None);
            return points.Count > 0 ? (true, true, points[0].Entry) : (true, false, null);
        }
        catch (QdrantException)
        {
            return (false, false, null);
        }
    }

    private static ReadOnlyMemory<byte> IdsRequest(IEnumerable<string> pointIds, bool includeText) =>
        QdrantJson.Write((pointIds, includeText), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("ids");
            foreach (var id in s.pointIds)
            {
                w.WriteStringValue(id);
            }
            w.WriteEndArray();
            WritePayloadSelector(w, s.includeText);
            w.WriteBoolean("with_vector", false);
            w.WriteEndObject();
        });

    private static void WritePayloadSelector(Utf8JsonWriter w, bool includeText)
    {
        if (includeText)
        {
            w.WriteBoolean("with_payload", true);
        }
        else
        {
            w.WriteStartObject("with_payload");
            w.WriteStartArray("exclude");
            w.WriteStringValue("text");
            w.WriteEndArray();
            w.WriteEndObject();
        }
    }

    private async Task<List<(RegistryEntry Entry, string? Text)>> ReadRegistryPointsAsync(IReadOnlyCollection<string> documentIds, bool includeText, CancellationToken cancellationToken)
    {
        var body = IdsRequest(documentIds.Select(QdrantPointIds.Document), includeText);
        using var envelope = await _rest.SendAsync(HttpMethod.Post, _documents + "/points", body, cancellationToken);
        var entries = new List<(RegistryEntry, string?)>();
        foreach (var point in QdrantJson.Result(envelope).EnumerateArray())
        {
            if (point.TryGetProperty("payload", out var payload) && QdrantJson.GetString(payload, "kind") == "document")
            {
                entries.Add((RegistryEntry.Parse(payload), QdrantJson.GetString(payload, "text")));
            }
        }
        return entries;
    }

    private async Task<List<RegistryEntry>> ScrollRegistryAsync(SearchFilter? filter, CancellationToken cancellationToken)
    {
        var must = new List<MatchCondition> { new("kind", s_documentKind) };
        must.AddRange(FilterConditions(filter));
        var entries = new List<RegistryEntry>();
        string? offset = null;
        do
        {
            var body = QdrantJson.Write((must, offset), static (w, s) =>
            {
                w.WriteStartObject();
                w.WritePropertyName("filter");
                QdrantJson.WriteFilter(w, s.must);
                w.WriteNumber("limit", 256);
                WritePayloadSelector(w, includeText: false);
                w.WriteBoolean("with_vector", false);
                if (s.offset is not null)
                {
                    w.WritePropertyName("offset");
                    w.WriteRawValue(s.offset);
                }
                w.WriteEndObject();
            });
            using var envelope = await _rest.SendAsync(HttpMethod.Post, _documents + "/points/scroll", body, cancellationToken);
            var result = QdrantJson.Result(envelope);
            foreach (var point in result.GetProperty("points").EnumerateArray())
            {
                entries.Add(RegistryEntry.Parse(point.GetProperty("payload")));
            }
            offset = result.TryGetProperty("next_page_offset", out var next) && next.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? next.GetRawText()
                : null;
        }
        while (offset is not null);
        return entries;
    }

    private async Task EnsureRegistryLoadedAsync(CancellationToken cancellationToken)
    {
        if (_registryLoaded)
        {
            return;
        }
        await _registryLock.WaitAsync(cancellationToken);
        try
        {
            if (!_registryLoaded)
            {
                ReplaceRegistryCache(await ScrollRegistryAsync(null, cancellationToken));
            }
        }
        finally
        {
            _registryLock.Release();
        }
    }

    private void ReplaceRegistryCache(List<RegistryEntry> entries)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            _registry[entry.Id] = entry;
            seen.Add(entry.Id);
        }
        foreach (var id in _registry.Keys)
        {
            if (!seen.Contains(id))
            {
                _registry.TryRemove(id, out _);
            }
        }
        _registryLoaded = true;
    }

    /// <summary>Drops hits whose version is not the committed one; hits that disagree with the cache re-read those registry points first.</summary>
    private async Task HideUncommittedAsync(List<Candidate>[] candidates, CancellationToken cancellationToken)
    {
        await EnsureRegistryLoadedAsync(cancellationToken);
        var stale = new HashSet<string>(StringComparer.Ordinal);
        foreach (var leg in candidates)
        {
            foreach (var c in leg)
            {
                if (!_registry.TryGetValue(c.DocumentId, out var entry) || entry.Version != c.Version)
                {
                    stale.Add(c.DocumentId);
                }
            }
        }
        if (stale.Count > 0)
        {
            var fresh = await ReadRegistryPointsAsync(stale, includeText: false, cancellationToken);
            foreach (var id in stale)
            {
                _registry.TryRemove(id, out _);
            }
            foreach (var (entry, _) in fresh)
            {
                _registry[entry.Id] = entry;
            }
        }
        foreach (var leg in candidates)
        {
            leg.RemoveAll(c => !_registry.TryGetValue(c.DocumentId, out var entry) || entry.Version != c.Version);
        }
    }

    /// <summary>
    /// One hybrid query: a prefetch per leg (filter inside each) fused by Qdrant's weighted reciprocal-rank fusion
    /// (<c>{"rrf": {"k", "weights"}}</c>, Qdrant 1.17+). Extra candidates are requested so that points of uncommitted or
    /// superseded versions can be dropped; per-leg ranks are not known in this mode.
    /// </summary>
    private async Task<IReadOnlyList<ChunkHit>> HybridQueryAsync(List<Leg> legs, List<MatchCondition> must, int perLeg, int rrfK, int limit,
        CancellationToken cancellationToken)
    {
        var fetch = Math.Min(perLeg, limit * 2 + 10);
        var body = QdrantJson.Write((legs, must, perLeg, rrfK, fetch), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("prefetch");
            foreach (var leg in s.legs)
            {
                w.WriteStartObject();
                WriteLegQuery(w, leg, s.must, s.perLeg);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("query");
            w.WriteStartObject("rrf");
            w.WriteNumber("k", s.rrfK);
            w.WriteStartArray("weights");
            foreach (var leg in s.legs)
            {
                w.WriteNumberValue(leg.Weight);
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteNumber("limit", s.fetch);
            w.WriteBoolean("with_payload", true);
            w.WriteBoolean("with_vector", false);
            w.WriteEndObject();
        });
        using var envelope = await _rest.SendAsync(HttpMethod.Post, _chunks + "/points/query", body, cancellationToken);
        var fused = new List<Candidate>();
        foreach (var point in QdrantJson.Result(envelope).GetProperty("points").EnumerateArray())
        {
            fused.Add(Candidate.Parse(point));
        }
        var candidates = new[] { fused };
        await HideUncommittedAsync(candidates, cancellationToken);
        var noRanks = new LegRanks(null, null, null);
        return candidates[0].Take(limit)
            .Select(c => new ChunkHit(c.DocumentId, c.Ordinal, c.Start, c.End, c.Text, c.Title, c.Language, c.Date, c.Outlet, c.Score, noRanks) { Page = c.Page })
            .ToList();
    }

    /// <summary>One leg's query, vector name, filter and limit (a batch search or a prefetch).</summary>
    private static void WriteLegQuery(Utf8JsonWriter w, Leg leg, List<MatchCondition> must, int limit)
    {
        w.WritePropertyName("query");
        if (leg.Dense is { } dense)
        {
            QdrantJson.WriteDense(w, dense);
        }
        else
        {
            w.WriteStartObject();
            QdrantJson.WriteSparseBody(w, leg.Sparse);
            w.WriteEndObject();
        }
        w.WriteString("using", leg.VectorName);
        if (must.Count > 0)
        {
            w.WritePropertyName("filter");
            QdrantJson.WriteFilter(w, must);
        }
        w.WriteNumber("limit", limit);
    }

    private static List<ChunkHit> Fuse(List<Leg> legs, List<Candidate>[] candidates, int rrfK, int limit)
    {
        var fused = new Dictionary<string, (Candidate Candidate, double Score, int?[] Ranks, double?[] Scores)>(StringComparer.Ordinal);
        for (var l = 0; l < legs.Count; l++)
        {
            var kind = (int)legs[l].Kind;
            for (var r = 0; r < candidates[l].Count; r++)
            {
                var c = candidates[l][r];
                if (!fused.TryGetValue(c.PointId, out var f))
                {
                    f = (c, 0, new int?[3], new double?[3]);
                }
                if (f.Ranks[kind] is not null)
                {
                    continue; // a leg lists each point once; ignore duplicates defensively
                }
                f.Ranks[kind] = r + 1;
                f.Scores[kind] = c.Score;
                f.Score += legs[l].Weight / (rrfK + r + 1);
                fused[c.PointId] = f;
            }
        }
        return fused.Values
            .OrderByDescending(f => f.Score)
            .ThenBy(f => f.Candidate.DocumentId, StringComparer.Ordinal)
            .ThenBy(f => f.Candidate.Ordinal)
            .Take(limit)
            .Select(f => new ChunkHit(
                f.Candidate.DocumentId, f.Candidate.Ordinal, f.Candidate.Start, f.Candidate.End, f.Candidate.Text, f.Candidate.Title,
                f.Candidate.Language, f.Candidate.Date, f.Candidate.Outlet, f.Score,
                new LegRanks(f.Ranks[0], f.Ranks[1], f.Ranks[2], f.Scores[0], f.Scores[1], f.Scores[2])) { Page = f.Candidate.Page })
            .ToList();
    }

    private static List<MatchCondition> FilterConditions(SearchFilter? filter)
    {
        var must = new List<MatchCondition>();
        if (filter?.DocumentIds is { Count: > 0 } ids)
        {
            must.Add(new MatchCondition("doc_id", ids.Distinct(StringComparer.Ordinal).ToList()));
        }
        if (filter?.Languages is { Count: > 0 } languages)
        {
            must.Add(new MatchCondition("language", languages.Distinct(StringComparer.Ordinal).ToList()));
        }
        return must;
    }

    private async Task<int> CountAsync(string collectionPath, List<MatchCondition> must, CancellationToken cancellationToken)
    {
        var body = QdrantJson.Write(must, static (w, m) =>
        {
            w.WriteStartObject();
            if (m.Count > 0)
            {
                w.WritePropertyName("filter");
                QdrantJson.WriteFilter(w, m);
            }
            w.WriteBoolean("exact", true);
            w.WriteEndObject();
        });
        using var envelope = await _rest.SendAsync(HttpMethod.Post, collectionPath + "/points/count", body, cancellationToken);
        return QdrantJson.Result(envelope).GetProperty("count").GetInt32();
    }

    private enum LegKind
    {
        Words = 0,
        NGrams = 1,
        Dense = 2,
    }

    private sealed record Leg(LegKind Kind, string VectorName, QdrantSparseVector Sparse, float[]? Dense, double Weight);

    private sealed record ChunkBatch(StoredDocument Document, string Version, IReadOnlyList<ChunkToIndex> Chunks, int Start, int Count, double AverageWords, double AverageNGrams);

    private sealed record RegistryEntry(
        string Id, string SourcePath, string Title, string Language, string? Date, string? Outlet, string ContentHash, DateTimeOffset IngestedAt,
        string Version, int ChunkCount, long WordCount, long NGramCount)
    {
        public static RegistryEntry Parse(JsonElement p) => new(
            QdrantJson.RequireString(p, "doc_id"),
            QdrantJson.GetString(p, "source_path") ?? "",
            QdrantJson.GetString(p, "title") ?? "",
            QdrantJson.GetString(p, "language") ?? "",
            QdrantJson.GetString(p, "date"),
            QdrantJson.GetString(p, "outlet"),
            QdrantJson.GetString(p, "content_hash") ?? "",
            QdrantJson.GetDate(p, "ingested_at"),
            QdrantJson.RequireString(p, "version"),
            QdrantJson.GetInt(p, "chunk_count"),
            QdrantJson.GetLong(p, "word_count"),
            QdrantJson.GetLong(p, "ngram_count"));
    }

    private sealed record Candidate(
        string PointId, string DocumentId, string Version, int Ordinal, int Start, int End, string Text, string Title, string Language,
        string? Date, string? Outlet, double Score)
    {
        public int? Page { get; init; }

        public static Candidate Parse(JsonElement point)
        {
            var p = point.GetProperty("payload");
            return new Candidate(
                QdrantJson.IdText(point.GetProperty("id")),
                QdrantJson.RequireString(p, "doc_id"),
                QdrantJson.GetString(p, "version") ?? "",
                QdrantJson.GetInt(p, "ordinal"),
                QdrantJson.GetInt(p, "start"),
                QdrantJson.GetInt(p, "end"),
                QdrantJson.GetString(p, "text") ?? "",
                QdrantJson.GetString(p, "title") ?? "",
                QdrantJson.GetString(p, "language") ?? "",
                QdrantJson.GetString(p, "date"),
                QdrantJson.GetString(p, "outlet"),
                point.GetProperty("score").GetDouble())
            {
                Page = p.TryGetProperty("page", out var page) && page.ValueKind == JsonValueKind.Number ? page.GetInt32() : null,
            };
        }
    }
}

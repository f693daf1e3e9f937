using PolicyChat.Core.Storage.Qdrant;

namespace PolicyChat.Core.Tests.Storage;

public sealed class QdrantSparseVectorsTests
{
    [Theory]
    [InlineData("", 2166136261u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("foobar", 0xbf9cf968u)]
    public void TermId_KnownInputs_MatchFnv1a32(string term, uint expected) => Assert.Equal(expected, QdrantSparseVectors.TermId(term));

    [Fact]
    public void TermId_ArabicTerm_HashesUtf8Bytes()
    {
        var expected = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes("بيانات"))
        {
            expected = unchecked((expected ^ b) * 16777619u);
        }

        Assert.Equal(expected, QdrantSparseVectors.TermId("بيانات"));
    }

    [Theory]
    [InlineData("plain ascii")]
    [InlineData("بيانات شخصية")]
    [InlineData("个人数据")]
    [InlineData("emoji \U0001F600 pair")]
    [InlineData("lone \uD800 surrogate")]
    public void TermId_AnyText_EqualsFnvOverEncodingUtf8Bytes(string term)
    {
        var expected = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(term))
        {
            expected = unchecked((expected ^ b) * 16777619u);
        }

        Assert.Equal(expected, QdrantSparseVectors.TermId(term));
    }

    [Fact]
    public void ForDocument_RepeatedTerms_HaveUniqueIndicesInFirstOccurrenceOrder()
    {
        var vector = QdrantSparseVectors.ForDocument(["b", "a", "b", "c", "a", "b"], averageLength: 6);

        Assert.Equal([QdrantSparseVectors.TermId("b"), QdrantSparseVectors.TermId("a"), QdrantSparseVectors.TermId("c")], vector.Indices);
        Assert.Equal((float)QdrantSparseVectors.Bm25Weight(3, 6, 6), vector.Values[0]);
        Assert.Equal((float)QdrantSparseVectors.Bm25Weight(1, 6, 6), vector.Values[2]);
    }

    [Fact]
    public void ForQuery_CollidingTerms_MergeIntoOneIndexWithSummedWeight()
    {
        Assert.Equal(QdrantSparseVectors.TermId("costarring"), QdrantSparseVectors.TermId("liquid")); // a known FNV-1a 32 collision

        var vector = QdrantSparseVectors.ForQuery(["liquid", "costarring", "liquid", "zebra"]);

        Assert.Equal(2, vector.Count);
        Assert.True(vector.Indices.SequenceEqual(vector.Indices.Order()));
        Assert.Equal(2f, vector.Values[Array.IndexOf(vector.Indices, QdrantSparseVectors.TermId("liquid"))]);
        Assert.Equal(1f, vector.Values[Array.IndexOf(vector.Indices, QdrantSparseVectors.TermId("zebra"))]);
    }

    [Fact]
    public void ForDocument_CollidingTerms_SumTheirBm25Weights()
    {
        var vector = QdrantSparseVectors.ForDocument(["liquid", "costarring", "x", "y"], averageLength: 4);

        var single = QdrantSparseVectors.Bm25Weight(1, 4, 4);
        Assert.Equal(3, vector.Count);
        Assert.Equal((float)(2 * single), vector.Values[Array.IndexOf(vector.Indices, QdrantSparseVectors.TermId("liquid"))], 5);
    }

    [Theory]
    [InlineData(1, 10, 10.0, 1.0)]
    [InlineData(2, 10, 10.0, 2 * 2.2 / 3.2)]
    [InlineData(1, 20, 10.0, 2.2 / (1 + (1.2 * (0.25 + 1.5))))]
    public void Bm25Weight_Formula_MatchesK1AndB(int tf, int length, double average, double expected) =>
        Assert.Equal(expected, QdrantSparseVectors.Bm25Weight(tf, length, average), 9);

    [Fact]
    public void ForDocument_LongerChunk_GetsLowerWeightForSameTermFrequency()
    {
        var shortChunk = QdrantSparseVectors.ForDocument(["law", "x"], averageLength: 4);
        var longChunk = QdrantSparseVectors.ForDocument(["law", "x", "y", "z", "w", "v"], averageLength: 4);
        var id = QdrantSparseVectors.TermId("law");

        Assert.True(shortChunk.Values[Array.IndexOf(shortChunk.Indices, id)] > longChunk.Values[Array.IndexOf(longChunk.Indices, id)]);
    }
}

public sealed class QdrantOptionsTests
{
    [Fact]
    public void Validate_Defaults_ReturnsNoErrorsAndUseTheGrpcPort()
    {
        var options = new QdrantOptions();

        Assert.Empty(QdrantOptions.Validate(options));
        Assert.Equal(("http://localhost:6334", "policychat", 1, 1, 30, 3), (options.Url, options.Collection, options.Shards, options.Replicas, options.TimeoutSeconds, options.Retries));
    }

    [Theory]
    [InlineData("localhost:6334")]
    [InlineData("ftp://host:6334")]
    [InlineData("")]
    public void Validate_BadUrl_NamesTheSetting(string url)
    {
        var errors = QdrantOptions.Validate(new QdrantOptions { Url = url });

        Assert.StartsWith("Qdrant:Url must", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RestPort_IsRefusedNamingTheGrpcPort()
    {
        var error = Assert.Single(QdrantOptions.Validate(new QdrantOptions { Url = "http://qdrant:6333" }));

        Assert.Contains("Qdrant:Url", error, StringComparison.Ordinal);
        Assert.Contains("6334", error, StringComparison.Ordinal);
        Assert.Contains("http://qdrant:6334", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Peers_CommaSeparatedUrl_ListsEveryPeerInOrder()
    {
        var options = new QdrantOptions { Url = "http://qdrant-1:6334, http://qdrant-2:6334,http://qdrant-3:6334" };

        Assert.Empty(QdrantOptions.Validate(options));
        Assert.Equal(["qdrant-1", "qdrant-2", "qdrant-3"], options.Peers().Select(p => p.Host));
    }

    [Fact]
    public void Validate_OnePeerBad_NamesThatPeer()
    {
        var error = Assert.Single(QdrantOptions.Validate(new QdrantOptions { Url = "http://qdrant-1:6334,http://qdrant-2:6333" }));

        Assert.Contains("qdrant-2:6333", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PeersMixHttpAndHttps_NamesTheSetting()
    {
        var error = Assert.Single(QdrantOptions.Validate(new QdrantOptions { Url = "https://qdrant-1:6334,http://qdrant-2:6334" }));

        Assert.StartsWith("Qdrant:Url peers must all use http or all https", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ThumbprintWithHttpOrWrongLength_NamesTheSetting()
    {
        var http = QdrantOptions.Validate(new QdrantOptions { Url = "http://q:6334", CertificateThumbprint = new string('a', 64) });
        var shortPrint = QdrantOptions.Validate(new QdrantOptions { Url = "https://q:6334", CertificateThumbprint = "abcd" });
        var good = QdrantOptions.Validate(new QdrantOptions { Url = "https://q:6334", CertificateThumbprint = string.Join(':', Enumerable.Repeat("AB", 32)) });

        Assert.Contains(http, e => e.StartsWith("Qdrant:CertificateThumbprint needs https", StringComparison.Ordinal));
        Assert.Contains(shortPrint, e => e.StartsWith("Qdrant:CertificateThumbprint must be", StringComparison.Ordinal));
        Assert.Empty(good);
    }

    [Fact]
    public void Validate_SeveralBadSettings_ReportsEachByName()
    {
        var errors = QdrantOptions.Validate(new QdrantOptions { Shards = 0, Replicas = 0, TimeoutSeconds = 0, Retries = -1, Collection = "bad name/x", DenseDimensions = 0 });

        foreach (var setting in new[] { "Qdrant:Shards", "Qdrant:Replicas", "Qdrant:TimeoutSeconds", "Qdrant:Retries", "Qdrant:Collection", "Qdrant:DenseDimensions" })
        {
            Assert.Contains(errors, e => e.StartsWith(setting, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithTheMessages()
    {
        var ex = Assert.Throws<ArgumentException>(() => new QdrantIndexStore(new QdrantOptions { Url = "nope" }));

        Assert.Contains("Qdrant:Url", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.17.0", true)]
    [InlineData("1.20.1-dev", true)]
    [InlineData("2.0.0", true)]
    [InlineData("1.16.3", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void SupportsWeightedRrf_ServerVersion_From117(string? version, bool expected) => Assert.Equal(expected, QdrantIndexStore.SupportsWeightedRrf(version));
}

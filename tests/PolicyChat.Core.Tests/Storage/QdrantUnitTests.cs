using System.Text.Json;
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
    public void Validate_Defaults_ReturnsNoErrors()
    {
        var options = new QdrantOptions();

        Assert.Empty(QdrantOptions.Validate(options));
        Assert.Equal(("http://localhost:6333", "policychat", 1, 1, 30, 3), (options.Url, options.Collection, options.Shards, options.Replicas, options.TimeoutSeconds, options.Retries));
    }

    [Theory]
    [InlineData("localhost:6333")]
    [InlineData("ftp://host:6333")]
    [InlineData("")]
    public void Validate_BadUrl_NamesTheSetting(string url)
    {
        var errors = QdrantOptions.Validate(new QdrantOptions { Url = url });

        Assert.StartsWith("Qdrant:Url must be an absolute http(s) URL", Assert.Single(errors), StringComparison.Ordinal);
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
        using var http = new HttpClient();

        var ex = Assert.Throws<ArgumentException>(() => new QdrantIndexStore(http, new QdrantOptions { Url = "nope" }));

        Assert.Contains("Qdrant:Url", ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>The validator must have teeth: it rejects bodies Qdrant would reject, so a passing loopback run means something.</summary>
public sealed class OpenApiSchemaValidatorTests
{
    private static readonly OpenApiSchemaValidator s_validator = FakeQdrantServer.Schema;

    private static List<string> Validate(string schema, string json)
    {
        using var doc = JsonDocument.Parse(json);
        return s_validator.Validate(doc.RootElement, s_validator.Schema(schema));
    }

    [Theory]
    [InlineData("""{"points":[{"id":"3f2c6a59-1d7e-5c4b-9a0e-1234567890ab","vector":{"bm25":{"indices":[1,2],"values":[0.5,1]}},"payload":{"doc_id":"a"}}]}""")]
    [InlineData("""{"points":[{"id":7,"vector":{}}]}""")]
    public void Validate_ValidUpsert_HasNoErrors(string json) => Assert.Empty(Validate("PointInsertOperations", json));

    [Theory]
    [InlineData("""{"points":[{"id":-1,"vector":{}}]}""")]
    [InlineData("""{"points":[{"id":"not-a-uuid","vector":{}}]}""")]
    [InlineData("""{"points":[{"id":1,"vector":{"bm25":{"indices":[4294967296],"values":[1]}}}]}""")]
    [InlineData("""{"points":[{"id":1}]}""")]
    [InlineData("""{"points":[{"id":1,"vector":{},"payloads":{}}]}""")]
    public void Validate_InvalidUpsert_ReportsErrors(string json) => Assert.NotEmpty(Validate("PointInsertOperations", json));

    [Theory]
    [InlineData("""{"must":[{"key":"doc_id","match":{"value":"a"}}]}""", true)]
    [InlineData("""{"must":[{"key":"doc_id","match":{"any":["a","b"]}}],"must_not":[{"key":"version","match":{"value":"v"}}]}""", true)]
    [InlineData("""{"must":[{"key":"doc_id","match":{"any":["a","a"]}}]}""", false)]
    [InlineData("""{"musts":[]}""", false)]
    public void Validate_Filter_AcceptsOnlyDocumentedShapes(string json, bool valid) => Assert.Equal(valid, Validate("Filter", json).Count == 0);

    [Theory]
    [InlineData("""{"points":[],"next_page_offset":null}""", true)]
    [InlineData("""{"points":[{"id":1}],"next_page_offset":2}""", true)]
    [InlineData("""{"points":[{"id":1}],"next_page_offset":"x"}""", false)]
    public void Validate_ScrollResult_HandlesNullableAnyOf(string json, bool valid) => Assert.Equal(valid, Validate("ScrollResult", json).Count == 0);

    [Fact]
    public void Validate_CreateCollectionWithBadModifier_ReportsEnum()
    {
        var errors = Validate("CreateCollection", """{"sparse_vectors":{"bm25":{"modifier":"bm25"}}}""");

        Assert.NotEmpty(errors);
    }
}

public sealed class QdrantJsonTests
{
    [Theory]
    [InlineData(0f, "0")]
    [InlineData(1f, "1")]
    [InlineData(-0.5f, "-0.5")]
    [InlineData(1.375f, "1.375")]
    [InlineData(0.1f, "0.1")]
    [InlineData(-0.00000001f, "0")]
    [InlineData(123456.5f, "123456.5")]
    [InlineData(3e7f, "30000000")]
    public void WriteFloat_Values_WriteCompactFixedPointOrRoundTrip(float value, string expected)
    {
        var json = System.Text.Encoding.UTF8.GetString(QdrantJson.Write(value, static (w, v) =>
        {
            w.WriteStartArray();
            QdrantJson.WriteFloat(w, v);
            w.WriteEndArray();
        }).Span);

        Assert.Equal($"[{expected}]", json);
    }

    [Fact]
    public void WriteSparseBody_RepeatedWeights_WritesEveryValue()
    {
        var vector = new QdrantSparseVector([5, 3, 9], [0.25f, 0.25f, 1.5f]);

        var json = System.Text.Encoding.UTF8.GetString(QdrantJson.Write(vector, static (w, v) =>
        {
            w.WriteStartObject();
            QdrantJson.WriteSparseBody(w, v);
            w.WriteEndObject();
        }).Span);

        Assert.Equal("""{"indices":[5,3,9],"values":[0.25,0.25,1.5]}""", json);
    }
}

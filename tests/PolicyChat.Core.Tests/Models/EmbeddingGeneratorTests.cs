using System.Diagnostics;
using Microsoft.Extensions.AI;
using PolicyChat.Core.Models;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Models;

public sealed class EmbeddingGeneratorTests : ModelTestBase
{
    private static readonly string[] s_texts =
    [
        "حماية البيانات الشخصية",
        "data protection law",
        "数据安全法",
        "cross-border data transfer",
        "الذكاء الاصطناعي",
        "cybersecurity strategy 2030",
        "privacy",
    ];

    private IEmbeddingGenerator<string, Embedding<float>> NewGenerator(int? dimensions = null, int timeoutSeconds = 5) =>
        ModelClients.CreateEmbeddingGenerator(EmbeddingOptionsFor(dimensions: dimensions, timeoutSeconds: timeoutSeconds), Http)!;

    [Fact]
    public async Task GenerateAsync_SevenTexts_SendsOneRequestAndKeepsInputOrder()
    {
        using var generator = NewGenerator();

        var embeddings = await generator.GenerateAsync(s_texts);

        Assert.Equal([7], Server.EmbeddingRequests.Select(r => r.Inputs.Count)); // callers batch (DocumentEmbedder)
        Assert.Equal(s_texts, Server.EmbeddingRequests.SelectMany(r => r.Inputs));
        Assert.All(Server.EmbeddingRequests, r =>
        {
            Assert.Equal("base64", r.EncodingFormat); // the SDK's choice; float answers are handled too (below)
            Assert.Equal(EmbeddingModel, r.Model);
            Assert.Null(r.Json!["dimensions"]);
        });
        Assert.Equal(s_texts.Length, embeddings.Count);
        for (var i = 0; i < s_texts.Length; i++)
        {
            Assert.Equal(ScriptedEmbeddings.Embed(s_texts[i], Server.EmbeddingDimensions), embeddings[i].Vector.ToArray());
            Assert.Equal(EmbeddingModel, embeddings[i].ModelId);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GenerateAsync_ServerListsResultsInReverse_ReordersByIndex(bool floatsWhateverAsked)
    {
        Server.ReverseEmbeddingOrder = true;
        Server.IgnoreEncodingFormat = floatsWhateverAsked;
        using var generator = NewGenerator();

        var embeddings = await generator.GenerateAsync(s_texts);

        for (var i = 0; i < s_texts.Length; i++)
        {
            Assert.Equal(ScriptedEmbeddings.Embed(s_texts[i], Server.EmbeddingDimensions), embeddings[i].Vector.ToArray());
        }
    }

    [Fact]
    public async Task GenerateAsync_DimensionsConfigured_SendsAndReturnsThatSize()
    {
        using var generator = NewGenerator(dimensions: 16);

        var embeddings = await generator.GenerateAsync(["one", "two"]);

        Assert.Equal(16, Assert.Single(Server.EmbeddingRequests).Json!["dimensions"]!.GetValue<int>());
        Assert.All(embeddings, e => Assert.Equal(16, e.Vector.Length));
    }

    [Fact]
    public async Task GenerateAsync_UsageReported_ReportsPromptTokens()
    {
        using var generator = NewGenerator();

        var embeddings = await generator.GenerateAsync(["a b", "c", "d e f"]);

        Assert.NotNull(embeddings.Usage);
        Assert.Equal(6, embeddings.Usage.InputTokenCount);
    }

    [Fact]
    public async Task GenerateAsync_NoInputs_SendsNothing()
    {
        using var generator = NewGenerator();

        var embeddings = await generator.GenerateAsync([]);

        Assert.Empty(embeddings);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task GenerateAsync_VectorsOfDifferentSizes_ThrowsInvalidResponse()
    {
        Server.EnqueueEmbeddings(ScriptedReply.Json(
            "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,0.2,0.3]},{\"object\":\"embedding\",\"index\":1,\"embedding\":[0.1,0.2]}]}"));
        using var generator = NewGenerator();

        var error = await Assert.ThrowsAsync<ModelException>(() => generator.GenerateAsync(["a", "b"]));

        Assert.Equal(ModelFailureKind.InvalidResponse, error.Kind);
        Assert.Contains("3 and 2 dimensions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_ConfiguredDimensionsNotHonoured_ThrowsNamingSetting()
    {
        Server.EnqueueEmbeddings(ScriptedReply.Json("{\"data\":[{\"index\":0,\"embedding\":[0.1,0.2,0.3]}]}"));
        using var generator = NewGenerator(dimensions: 1024);

        var error = await Assert.ThrowsAsync<ModelException>(() => generator.GenerateAsync(["a"]));

        Assert.Contains("Embedding:Dimensions is 1024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_FewerVectorsThanInputs_ThrowsInvalidResponse()
    {
        Server.EnqueueEmbeddings(ScriptedReply.Json("{\"data\":[{\"index\":0,\"embedding\":[0.1,0.2]}]}"));
        using var generator = NewGenerator();

        var error = await Assert.ThrowsAsync<ModelException>(() => generator.GenerateAsync(["a", "b"]));

        Assert.Contains("1 embeddings for 2 inputs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_Base64Answer_DecodesFloats()
    {
        var expected = new[] { 0.5f, -0.25f, 1f };
        var base64 = Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected.AsSpan()));
        Server.EnqueueEmbeddings(ScriptedReply.Json($"{{\"data\":[{{\"index\":0,\"embedding\":\"{base64}\"}}]}}"));
        using var generator = NewGenerator();

        var embeddings = await generator.GenerateAsync(["a"]);

        Assert.Equal(expected, embeddings[0].Vector.ToArray());
    }

    [Fact]
    public async Task GenerateAsync_UnknownModel_ThrowsModelNotFound()
    {
        Server.RejectUnknownModels = true;
        Server.Models = ["qwen2.5:7b"];
        using var generator = NewGenerator();

        var error = await Assert.ThrowsAsync<ModelException>(() => generator.GenerateAsync(["a"]));

        Assert.Equal(ModelFailureKind.ModelNotFound, error.Kind);
        Assert.StartsWith("model 'bge-m3' not found", error.Message, StringComparison.Ordinal);
        Assert.Contains("Embedding:Model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_Loading503_ThrowsOverloadedLoading()
    {
        Server.EnqueueEmbeddings(ScriptedReply.Loading());
        using var generator = NewGenerator();

        var error = await Assert.ThrowsAsync<ModelException>(() => generator.GenerateAsync(["a"]));

        Assert.Equal(ModelFailureKind.Overloaded, error.Kind);
        Assert.Contains("still loading the model", error.Message, StringComparison.Ordinal);
        Assert.Single(Server.EmbeddingRequests);
    }

    [Fact]
    public async Task GenerateAsync_FlatVllmError_ThrowsWithServerText()
    {
        Server.EnqueueEmbeddings(ScriptedReply.FlatError(400, "input is too long"));
        using var generator = NewGenerator();

        var error = await Assert.ThrowsAsync<ModelException>(() => generator.GenerateAsync(["a"]));

        Assert.Equal(ModelFailureKind.BadRequest, error.Kind);
        Assert.Contains("input is too long", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_ErrorObjectWith200_ThrowsServerError()
    {
        Server.EnqueueEmbeddings(ScriptedReply.Json("{\"error\":{\"message\":\"embedding model crashed\"}}"));
        using var generator = NewGenerator();

        var error = await Assert.ThrowsAsync<ModelException>(() => generator.GenerateAsync(["a"]));

        Assert.Contains("embedding model crashed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_ConnectionRefused_ThrowsUnreachable()
    {
        using var generator = ModelClients.CreateEmbeddingGenerator(new EmbeddingOptions { Endpoint = ClosedPortUrl(), Model = EmbeddingModel }, Http)!;

        var error = await Assert.ThrowsAsync<ModelException>(() => generator.GenerateAsync(["a"]));

        Assert.Equal(ModelFailureKind.Unreachable, error.Kind);
        Assert.Contains("Embedding:Endpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_ConnectionDropped_ThrowsConnectionDroppedOrUnreachable()
    {
        Server.EnqueueEmbeddings(ScriptedReply.Drop(""));
        using var generator = NewGenerator();

        var error = await Assert.ThrowsAsync<ModelException>(() => generator.GenerateAsync(["a"]));

        Assert.True(error.Kind is ModelFailureKind.Unreachable
            || (error.Kind is ModelFailureKind.ServerError && error.Message.Contains("dropped before the answer was complete", StringComparison.Ordinal)), error.Message);
    }

    [Fact]
    public async Task GenerateAsync_SlowServer_ThrowsTimeoutAndCancelsRequest()
    {
        Server.EnqueueEmbeddings(ScriptedReply.Generated().WithFirstByteDelay(TimeSpan.FromSeconds(10)));
        using var generator = NewGenerator(timeoutSeconds: 1);

        var started = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ModelException>(() => generator.GenerateAsync(["a"]));

        Assert.Equal(ModelFailureKind.Timeout, error.Kind);
        Assert.Contains("Embedding:TimeoutSeconds", error.Message, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(4), $"took {started.Elapsed}");
        Assert.True((await FinishedAsync(Assert.Single(Server.EmbeddingRequests))).ClientAborted);
    }

    [Fact]
    public async Task GenerateAsync_Cancelled_ThrowsOperationCanceledAndServerSeesAbort()
    {
        Server.EnqueueEmbeddings(ScriptedReply.Generated().WithFirstByteDelay(TimeSpan.FromSeconds(10)));
        using var generator = NewGenerator();
        using var cts = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            await Server.WaitForRequestAsync();
            await cts.CancelAsync();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => generator.GenerateAsync(["a"], cancellationToken: cts.Token));

        Assert.True((await FinishedAsync(Assert.Single(Server.EmbeddingRequests))).ClientAborted);
    }

    [Fact]
    public void CreateEmbeddingGenerator_NoModel_ReturnsNull()
    {
        Assert.Null(ModelClients.CreateEmbeddingGenerator(new EmbeddingOptions(), Http));
        Assert.NotNull(ModelClients.CreateEmbeddingGenerator(EmbeddingOptionsFor(), Http));
    }

    [Fact]
    public void GetService_Metadata_DescribesModelAndDimensions()
    {
        using var generator = NewGenerator(dimensions: 1024);

        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal(EmbeddingModel, metadata.DefaultModelId);
        Assert.Equal(1024, metadata.DefaultModelDimensions);
    }
}

using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Text;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Answering;

/// <summary>Answers streamed by a real (scripted) OpenAI-compatible server over the ingested sample corpus.</summary>
public sealed class AnswerServiceModelTests(CorpusIndexFixture corpus) : IClassFixture<CorpusIndexFixture>, IAsyncLifetime
{
    private const string Question = "كم مشروعًا مفتوح المصدر تهدف شنغهاي إلى إنشائه خلال العامين المقبلين؟";
    private const string Claim = "تهدف شنغهاي إلى إنشاء أكثر من 200 مشروع مفتوح المصدر خلال العامين المقبلين";
    private const string ClaimFragment = "200 مشروع مفتوح المصدر";

    private ScriptedOpenAiServer _server = null!;
    private ScriptedModel _model = null!;

    public async Task InitializeAsync()
    {
        _server = await ScriptedOpenAiServer.StartAsync();
        _model = new ScriptedModel(_server);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ServiceProvider Services(Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = CorpusIndexFixture.ModelSettings(_server.BaseUrl);
        configure?.Invoke(settings);
        return corpus.CreateServices(settings);
    }

    private string ShanghaiId => corpus.IdOf(CorpusIndexFixture.ShanghaiFile);

    private int ShanghaiPassage(IReadOnlyList<Passage> passages) => AnswerTestKit.PassageWith(passages, ShanghaiId, ClaimFragment);

    [Fact]
    public async Task AskStreamAsync_ArabicQuestionCitingTheRightPassage_KeepsMarkerAndQuotesTheDocument()
    {
        var marker = 0;
        _model.Answer = passages =>
        {
            marker = ShanghaiPassage(passages);
            return ScriptedReply.Text($"{Claim} [{marker}].");
        };
        await using var services = Services();

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        Assert.Equal($"{Claim} [{marker}].", run.Text);
        Assert.True(run.Events.Count(e => e.Type == AnswerEvent.DeltaType) > 5, "the answer should arrive as many deltas");
        Assert.Equal(AnswerEvent.SourcesType, run.Types[0]);
        Assert.Equal([AnswerEvent.CitationsType, AnswerEvent.DoneType], run.Types.TakeLast(2));
        Assert.Equal(AnswerModes.Llm, run.Done!.Mode);
        Assert.Equal(Languages.Arabic, run.Done.Language);
        Assert.Null(run.Done.Notice);
        Assert.Equal(Languages.Arabic, LanguageDetector.Detect(run.Text));
        var citation = Assert.Single(run.Citations);
        Assert.Equal(marker, citation.Marker);
        Assert.Equal(ShanghaiId, citation.DocumentId);
        Assert.Contains(ClaimFragment, citation.Quote, StringComparison.Ordinal);
        Assert.True(citation.Support >= 0.35, $"support {citation.Support}");
        corpus.AssertQuotesDocument(citation);
        var passage = run.Passages[marker - 1];
        Assert.InRange(citation.Start, passage.Start, passage.End);
        Assert.Empty(run.UnsupportedClaims);

        // The answer request carried the Arabic prompt with the question and the numbered passages.
        var request = Assert.Single(_model.AnswerRequests);
        Assert.Equal(AnswerTestKit.ChatModel, request.Model);
        var prompt = ScriptedModel.PromptOf(request);
        Assert.StartsWith("أنت PolicyChat", prompt, StringComparison.Ordinal);
        Assert.Contains("السؤال: " + Question, prompt, StringComparison.Ordinal);
        Assert.Contains($"[{marker}] {passage.Title}", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskStreamAsync_MarkerPointingAtNoPassage_IsDroppedFromTheText()
    {
        var marker = 0;
        _model.Answer = passages =>
        {
            marker = ShanghaiPassage(passages);
            return ScriptedReply.Text($"{Claim} [{marker}][9].");
        };
        await using var services = Services();

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        Assert.Equal(6, run.Passages.Count);
        Assert.Equal($"{Claim} [{marker}].", run.Text);
        Assert.DoesNotContain("[9]", run.Text, StringComparison.Ordinal);
        Assert.Equal([marker], run.Citations.Select(c => c.Marker));
        Assert.Empty(run.UnsupportedClaims);
    }

    [Fact]
    public async Task AskStreamAsync_ClaimTheCitedPassageDoesNotSupport_LosesItsMarkerAndIsListedUnsupported()
    {
        const string unrelated = "فازت الأرجنتين بكأس العالم لكرة القدم في قطر";
        var marker = 0;
        _model.Answer = passages =>
        {
            marker = ShanghaiPassage(passages);
            return ScriptedReply.Text($"{Claim} [{marker}]. {unrelated} [{marker}].");
        };
        await using var services = Services();

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        Assert.StartsWith($"{Claim} [{marker}]. {unrelated}", run.Text, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(run.Text, $"[{marker}]"));
        Assert.Equal([unrelated], run.UnsupportedClaims);
        var citation = Assert.Single(run.Citations);
        Assert.Contains(ClaimFragment, citation.Quote, StringComparison.Ordinal);
        Assert.Equal(AnswerModes.Llm, run.Done!.Mode);
    }

    [Theory]
    [InlineData("arabic-indic")]
    [InlineData("full-width-brackets")]
    [InlineData("full-width-digits")]
    [InlineData("lenticular")]
    public async Task AskStreamAsync_NonAsciiMarker_IsCanonicalized(string form)
    {
        var marker = 0;
        _model.Answer = passages =>
        {
            marker = ShanghaiPassage(passages);
            var digits = marker.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var written = form switch
            {
                "arabic-indic" => "[" + string.Concat(digits.Select(d => (char)('\u0660' + (d - '0')))) + "]",
                "full-width-brackets" => "［" + digits + "］",
                "full-width-digits" => "[" + string.Concat(digits.Select(d => (char)('\uFF10' + (d - '0')))) + "]",
                _ => "【" + digits + "】",
            };
            return ScriptedReply.Text($"{Claim} {written}.");
        };
        await using var services = Services();

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        Assert.Equal($"{Claim} [{marker}].", run.Text);
        Assert.Equal(marker, Assert.Single(run.Citations).Marker);
    }

    public static TheoryData<StreamQuirks, UsageMode> Quirks => new()
    {
        { StreamQuirks.None, UsageMode.Separate },
        { StreamQuirks.None, UsageMode.Inline },
        { StreamQuirks.FinishReasonSeparate, UsageMode.Absent },
        { StreamQuirks.EmptyChoicesChunk, UsageMode.Separate },
        { StreamQuirks.CommentLines, UsageMode.Separate },
        { StreamQuirks.NullContent | StreamQuirks.MissingContent, UsageMode.Separate },
        { StreamQuirks.AllTolerable, UsageMode.Separate },
    };

    [Theory]
    [MemberData(nameof(Quirks))]
    public async Task AskStreamAsync_StreamQuirk_StillProducesTheVerifiedAnswer(StreamQuirks quirks, UsageMode usage)
    {
        var marker = 0;
        _model.Answer = passages =>
        {
            marker = ShanghaiPassage(passages);
            return ScriptedReply.Quirk(quirks, $"{Claim} [{marker}].", usage);
        };
        await using var services = Services();

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        Assert.Equal($"{Claim} [{marker}].", run.Text);
        Assert.Equal(AnswerModes.Llm, run.Done!.Mode);
        Assert.Equal(ShanghaiId, Assert.Single(run.Citations).DocumentId);
        Assert.Null(run.Error);
    }

    [Fact]
    public async Task AskStreamAsync_ErrorObjectAfterSomeText_EndsWithAnErrorEventWithoutInternals()
    {
        _model.Answer = _ => ScriptedReply.ErrorMidStream($"{Claim} ", "CUDA error: out of memory on device 0");
        await using var services = Services();

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        Assert.Equal(Claim + " ", run.Text);
        Assert.Equal(AnswerEvent.ErrorType, run.Types[^1]);
        Assert.Equal(AnswerText.ModelFailed(Languages.Arabic), run.Error!.Message);
        Assert.DoesNotContain("CUDA", run.Error.Message, StringComparison.Ordinal);
        Assert.Null(run.Done);
        Assert.Null(run.CitationsEvent);
    }

    [Fact]
    public async Task AskAsync_ErrorObjectAfterSomeText_ThrowsModelAnswerExceptionWithTheSafeMessage()
    {
        _model.Answer = _ => ScriptedReply.ErrorMidStream($"{Claim} ", "CUDA error: out of memory on device 0");
        await using var services = Services();

        var error = await Assert.ThrowsAsync<ModelAnswerException>(() => services.GetRequiredService<AnswerService>().AskAsync(new AskRequest(Question)));

        Assert.Equal(AnswerText.ModelFailed(Languages.Arabic), error.Message);
    }

    [Fact]
    public async Task AskStreamAsync_UnknownModel_FallsBackToExtractiveWithNotice()
    {
        _server.RejectUnknownModels = true;
        await using var services = Services(s => s["Llm:Model"] = "no-such-model:7b");

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        var request = Assert.Single(_model.AnswerRequests);
        Assert.Equal("no-such-model:7b", request.Model);
        AssertExtractiveFallback(run);
    }

    [Fact]
    public async Task AskStreamAsync_ConnectionRefused_FallsBackToExtractiveWithNotice()
    {
        await using var services = Services(s => s["Llm:Endpoint"] = AnswerTestKit.ClosedPortUrl());

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        AssertExtractiveFallback(run);
        Assert.Empty(_server.Requests);
        Assert.Equal(Core.Models.ModelState.Unavailable, services.GetRequiredService<Core.Models.ModelAvailability>().State);
    }

    [Fact]
    public async Task AskStreamAsync_NoTokenWithinFirstTokenTimeout_FallsBackToExtractiveAndClosesTheRequest()
    {
        _model.Answer = _ => ScriptedReply.Text($"{Claim} [1].").WithFirstByteDelay(TimeSpan.FromSeconds(8));
        await using var services = Services(s => s["Llm:FirstTokenTimeoutSeconds"] = "1");
        var clock = Stopwatch.StartNew();

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"took {clock.Elapsed}");
        AssertExtractiveFallback(run);
        var request = Assert.Single(_model.AnswerRequests);
        await request.Completed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(request.ClientAborted, "the timed-out request should be cancelled, closing its connection");
    }

    [Fact]
    public async Task AskStreamAsync_StallAfterFirstTokenBeyondTotalTimeout_EndsWithAnErrorEvent()
    {
        _model.Answer = _ => ScriptedReply.Chunks("تهدف شنغهاي ", "إلى إنشاء ", "أكثر من 200 مشروع.").WithChunkDelay(TimeSpan.FromSeconds(8));
        await using var services = Services(s =>
        {
            s["Llm:TimeoutSeconds"] = "1";
            s["Llm:FirstTokenTimeoutSeconds"] = "1";
        });
        var clock = Stopwatch.StartNew();

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"took {clock.Elapsed}");
        Assert.Equal("تهدف شنغهاي ", run.Text);
        Assert.Equal(AnswerText.ModelFailed(Languages.Arabic), run.Error?.Message);
        Assert.Null(run.Done);
    }

    [Fact]
    public async Task AskStreamAsync_ConnectionDroppedAfterSomeText_EndsWithAnErrorEvent()
    {
        _model.Answer = _ => ScriptedReply.Drop($"{Claim} ");
        await using var services = Services();

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        Assert.Equal(Claim + " ", run.Text);
        Assert.Equal(AnswerText.ModelFailed(Languages.Arabic), run.Error?.Message);
        Assert.Null(run.Done);
        Assert.True(Assert.Single(_model.AnswerRequests).ServerDropped);
    }

    [Fact]
    public async Task AskStreamAsync_ConnectionDroppedBeforeAnyText_FallsBackToExtractive()
    {
        _model.Answer = _ => ScriptedReply.Drop("");
        await using var services = Services();

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        AssertExtractiveFallback(run);
    }

    [Fact]
    public async Task AskStreamAsync_CancelledWhileStreaming_AbortsTheModelRequest()
    {
        _model.Answer = _ => ScriptedReply.Text(string.Join(' ', Enumerable.Repeat(Claim, 20))).WithChunkDelay(TimeSpan.FromMilliseconds(100));
        await using var services = Services();
        using var cts = new CancellationTokenSource();
        var deltas = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in services.GetRequiredService<AnswerService>().AskStreamAsync(new AskRequest(Question), cts.Token))
            {
                if (e.Type == AnswerEvent.DeltaType && ++deltas == 2)
                {
                    await cts.CancelAsync();
                }
            }
        });

        var request = Assert.Single(_model.AnswerRequests);
        await request.Completed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(request.ClientAborted, "cancelling the token should abort the HTTP request to the model");
        Assert.Equal(2, deltas);
    }

    private void AssertExtractiveFallback(AnswerRun run)
    {
        Assert.Null(run.Error);
        Assert.Equal(AnswerModes.Extractive, run.Done!.Mode);
        Assert.Equal(AnswerText.ExtractiveNotice(Languages.Arabic, modelConfigured: true), run.Done.Notice);
        Assert.StartsWith(AnswerText.ExtractiveLead(Languages.Arabic), run.Text, StringComparison.Ordinal);
        Assert.NotEmpty(run.Citations);
        Assert.All(run.Citations, corpus.AssertQuotesDocument);
        Assert.Equal(ShanghaiId, run.Passages[0].DocumentId);
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}

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
    public async Task AskStreamAsync_ErrorObjectAfterSomeText_KeepsTheTextAndAppendsTheExtractiveAnswer()
    {
        _model.Answer = _ => ScriptedReply.ErrorMidStream($"{Claim} ", "CUDA error: out of memory on device 0");
        await using var services = Services();

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        AssertMidAnswerFallback(run, Claim + " ");
        Assert.DoesNotContain("CUDA", run.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskAsync_ErrorObjectAfterSomeText_ReturnsTheTextWithTheExtractiveAnswerAppended()
    {
        _model.Answer = _ => ScriptedReply.ErrorMidStream($"{Claim} ", "CUDA error: out of memory on device 0");
        await using var services = Services();

        var result = await services.GetRequiredService<AnswerService>().AskAsync(new AskRequest(Question));

        Assert.StartsWith(Claim + " ", result.Answer, StringComparison.Ordinal);
        Assert.Contains(AnswerText.ModelStoppedNotice(Languages.Arabic), result.Answer, StringComparison.Ordinal);
        Assert.Equal(AnswerText.ModelStoppedNotice(Languages.Arabic), result.Notice);
        Assert.NotEmpty(result.Citations);
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
    public async Task AskStreamAsync_HungModel_FirstQuestionCostsTheFirstTokenTimeoutThenAnswersExtractivelyAtOnce()
    {
        _server.ChatHandler = _ => ScriptedReply.Text("never").WithFirstByteDelay(TimeSpan.FromSeconds(60));
        await using var services = Services(s =>
        {
            s["Llm:FirstTokenTimeoutSeconds"] = "1";
            s["Llm:ProbeIntervalSeconds"] = "60";
        });
        var answers = services.GetRequiredService<AnswerService>();
        var clock = Stopwatch.StartNew();

        var first = await AnswerTestKit.RunAsync(answers, new AskRequest(Question));
        var firstTook = clock.Elapsed;
        var requestsAfterFirst = _server.ChatRequests.Count;
        var next = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            clock.Restart();
            var run = await AnswerTestKit.RunAsync(answers, new AskRequest(Question));
            next.Add(clock.Elapsed);
            AssertExtractiveFallback(run);
        }

        AssertExtractiveFallback(first);
        // Translations and the answer share the timeout: the first question waits about one FirstTokenTimeoutSeconds.
        Assert.True(firstTook < TimeSpan.FromSeconds(2.5), $"first question took {firstTook}");
        // The 100 ms target is measured by the hung-model benchmark; here: no model call and no wait.
        Assert.All(next, t => Assert.True(t < TimeSpan.FromSeconds(1), $"took {t}"));
        Assert.Equal(requestsAfterFirst, _server.ChatRequests.Count);
    }

    [Fact]
    public async Task AskStreamAsync_StallAfterFirstTokenBeyondTotalTimeout_AppendsTheExtractiveAnswer()
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
        AssertMidAnswerFallback(run, "تهدف شنغهاي ");
    }

    [Fact]
    public async Task AskStreamAsync_ConnectionDroppedAfterSomeText_AppendsTheExtractiveAnswer()
    {
        _model.Answer = _ => ScriptedReply.Drop($"{Claim} ");
        await using var services = Services();

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        AssertMidAnswerFallback(run, Claim + " ");
        Assert.True(Assert.Single(_model.AnswerRequests).ServerDropped, "a failure after text is not retried");
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

    /// <summary>The text shown before the failure stays first; the extractive answer follows under the notice.</summary>
    private void AssertMidAnswerFallback(AnswerRun run, string shown)
    {
        Assert.Null(run.Error);
        var notice = AnswerText.ModelStoppedNotice(Languages.Arabic);
        Assert.StartsWith(shown, run.Text, StringComparison.Ordinal);
        var appended = run.Text.IndexOf(notice, StringComparison.Ordinal);
        Assert.True(appended >= shown.Length, $"no notice after the shown text: {run.Text}");
        Assert.Contains(AnswerText.ExtractiveLead(Languages.Arabic), run.Text[appended..], StringComparison.Ordinal);
        Assert.Equal(notice, run.Done!.Notice);
        Assert.NotEmpty(run.Citations);
        Assert.All(run.Citations, corpus.AssertQuotesDocument);
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

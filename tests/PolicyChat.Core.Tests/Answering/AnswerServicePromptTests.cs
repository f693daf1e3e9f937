using Microsoft.Extensions.DependencyInjection;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Tokens;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Answering;

/// <summary>The answer prompt as the model receives it: fitted to the context window, with the passages quoted.</summary>
public sealed class AnswerServicePromptTests(CorpusIndexFixture corpus) : IClassFixture<CorpusIndexFixture>, IAsyncLifetime
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

    [Fact]
    public async Task AskStreamAsync_ContextOf1200Tokens_PromptFitsAndTheAnswerKeepsVerifiedCitations()
    {
        var marker = 0;
        _model.Answer = passages =>
        {
            marker = AnswerTestKit.PassageWith(passages, corpus.IdOf(CorpusIndexFixture.ShanghaiFile), ClaimFragment);
            return ScriptedReply.Text($"{Claim} [{marker}].");
        };
        await using var wide = Services();
        var unfitted = await _model.AskAsync(wide.GetRequiredService<AnswerService>(), new AskRequest(Question));
        var fullPrompt = ScriptedModel.PromptOf(_model.AnswerRequests[^1]);
        await using var services = Services(s =>
        {
            s["Llm:ContextTokens"] = "1200";
            s["Llm:MaxOutputTokens"] = "256";
        });

        var run = await _model.AskAsync(services.GetRequiredService<AnswerService>(), new AskRequest(Question));

        var request = _model.AnswerRequests[^1];
        var prompt = ScriptedModel.PromptOf(request);
        var tokens = TokenizerFactory.Default.CountTokens(prompt);
        Assert.True(TokenizerFactory.Default.CountTokens(fullPrompt) > 1200 - 256, "the sample question's full prompt should exceed the budget, or this test proves nothing");
        Assert.InRange(tokens, 1, 1200 - 256);
        Assert.Equal(256, request.Json!["max_tokens"]!.GetValue<int>());
        Assert.True(run.Done!.PassagesSent < unfitted.Done!.PassagesSent, $"sent {run.Done.PassagesSent} of {unfitted.Done.PassagesSent}");
        Assert.Contains("السؤال: " + Question, prompt, StringComparison.Ordinal);
        Assert.Contains($"[{marker}] ", prompt, StringComparison.Ordinal);
        var citation = Assert.Single(run.Citations);
        Assert.Equal(marker, citation.Marker);
        corpus.AssertQuotesDocument(citation);
        Assert.Equal($"{Claim} [{marker}].", run.Text);
    }

    [Fact]
    public async Task AskStreamAsync_FollowUp_SendsHistoryBeforeThePassages()
    {
        _model.Answer = _ => ScriptedReply.Text("Answer.");
        await using var services = Services();
        var answers = services.GetRequiredService<AnswerService>();
        var first = await _model.AskAsync(answers, new AskRequest(Question));

        await _model.AskAsync(answers, new AskRequest(Question, first.Done!.ConversationId));

        var prompt = ScriptedModel.PromptOf(_model.AnswerRequests[^1]);
        var history = prompt.IndexOf("user: " + Question, StringComparison.Ordinal);
        Assert.True(history > 0, prompt);
        Assert.True(history < prompt.IndexOf("=== المقاطع ===", StringComparison.Ordinal));
    }
}

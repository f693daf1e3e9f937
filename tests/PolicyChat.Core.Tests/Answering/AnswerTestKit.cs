using PolicyChat.Core.Answering;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Answering;

/// <summary>The events of one streamed answer, with the parts tests look at.</summary>
public sealed record AnswerRun(IReadOnlyList<AnswerEvent> Events)
{
    public string Text => string.Concat(Events.Where(e => e.Type == AnswerEvent.DeltaType).Select(e => e.Text));

    public IReadOnlyList<Passage> Passages => Events.FirstOrDefault(e => e.Type == AnswerEvent.SourcesType)?.Passages ?? [];

    public AnswerEvent? CitationsEvent => Events.FirstOrDefault(e => e.Type == AnswerEvent.CitationsType);

    public IReadOnlyList<Citation> Citations => CitationsEvent?.Citations ?? [];

    public IReadOnlyList<string> UnsupportedClaims => CitationsEvent?.UnsupportedClaims ?? [];

    public AnswerEvent? Done => Events.FirstOrDefault(e => e.Type == AnswerEvent.DoneType);

    public AnswerEvent? Error => Events.FirstOrDefault(e => e.Type == AnswerEvent.ErrorType);

    public IReadOnlyList<string> Types => [.. Events.Select(e => e.Type)];
}

/// <summary>
/// Scripts a <see cref="ScriptedOpenAiServer"/> as the language model of the answer service: the streamed answer
/// request is answered by <see cref="Answer"/> (built from the passages the service showed, so a test can cite the
/// passage that holds a fact), the non-streamed helper requests (query translation, follow-up rewriting) by
/// <see cref="Translate"/> and <see cref="Rewrite"/>.
/// </summary>
public sealed class ScriptedModel
{
    public const string TranslatePromptStart = "Translate the search question";
    public const string RewritePromptStart = "Rewrite the user's last message";

    private IReadOnlyList<Passage> _passages = [];

    public ScriptedModel(ScriptedOpenAiServer server)
    {
        Server = server;
        server.ChatHandler = Handle;
    }

    public ScriptedOpenAiServer Server { get; }

    /// <summary>The streamed answer, given the passages of the sources event.</summary>
    public Func<IReadOnlyList<Passage>, ScriptedReply> Answer { get; set; } = _ => ScriptedReply.Text("Scripted answer.");

    /// <summary>The reply to a translation request, given the question; default: the question itself.</summary>
    public Func<string, string> Translate { get; set; } = q => q;

    /// <summary>The reply to a rewrite request; null answers with the follow-up unchanged.</summary>
    public string? Rewrite { get; set; }

    public IReadOnlyList<RecordedRequest> AnswerRequests => [.. Server.ChatRequests.Where(r => r.Stream)];

    public IReadOnlyList<RecordedRequest> TranslationRequests => [.. Server.ChatRequests.Where(r => PromptOf(r).StartsWith(TranslatePromptStart, StringComparison.Ordinal))];

    public IReadOnlyList<RecordedRequest> RewriteRequests => [.. Server.ChatRequests.Where(r => PromptOf(r).StartsWith(RewritePromptStart, StringComparison.Ordinal))];

    public static string PromptOf(RecordedRequest request) => request.Messages is [.., var last] ? last.Content : "";

    /// <summary>Streams an answer, handing the passages of the sources event to <see cref="Answer"/> before the model is asked.</summary>
    public async Task<AnswerRun> AskAsync(AnswerService answers, AskRequest request, CancellationToken cancellationToken = default)
    {
        var events = new List<AnswerEvent>();
        await foreach (var e in answers.AskStreamAsync(request, cancellationToken))
        {
            if (e.Type == AnswerEvent.SourcesType)
            {
                _passages = e.Passages!;
            }
            events.Add(e);
        }
        return new AnswerRun(events);
    }

    private ScriptedReply Handle(RecordedRequest request)
    {
        if (request.Stream)
        {
            return Answer(_passages);
        }
        var prompt = PromptOf(request);
        if (prompt.StartsWith(TranslatePromptStart, StringComparison.Ordinal))
        {
            var question = prompt[(prompt.LastIndexOf("Question: ", StringComparison.Ordinal) + "Question: ".Length)..].Trim();
            return ScriptedReply.Text(Translate(question));
        }
        if (prompt.StartsWith(RewritePromptStart, StringComparison.Ordinal))
        {
            var start = prompt.LastIndexOf("Last message: ", StringComparison.Ordinal) + "Last message: ".Length;
            var end = prompt.IndexOf('\n', start);
            return ScriptedReply.Text(Rewrite ?? prompt[start..(end < 0 ? prompt.Length : end)].Trim());
        }
        return ScriptedReply.Text("Unexpected request.");
    }
}

public static class AnswerTestKit
{
    public const string ChatModel = "qwen2.5:7b";

    /// <summary>Drains a stream without a model.</summary>
    public static async Task<AnswerRun> RunAsync(AnswerService answers, AskRequest request, CancellationToken cancellationToken = default)
    {
        var events = new List<AnswerEvent>();
        await foreach (var e in answers.AskStreamAsync(request, cancellationToken))
        {
            events.Add(e);
        }
        return new AnswerRun(events);
    }

    /// <summary>The number of the first passage from <paramref name="documentId"/> whose text contains <paramref name="fragment"/>.</summary>
    public static int PassageWith(IReadOnlyList<Passage> passages, string documentId, string fragment)
    {
        var passage = passages.FirstOrDefault(p => p.DocumentId == documentId && p.Text.Contains(fragment, StringComparison.Ordinal));
        Assert.True(passage is not null, $"no passage of {documentId} contains '{fragment}'; passages: {string.Join(" | ", passages.Select(p => $"{p.Number} {p.DocumentId}"))}");
        return passage.Number;
    }

    /// <summary>A loopback URL on which nothing listens (connection refused).</summary>
    public static string ClosedPortUrl()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }
}

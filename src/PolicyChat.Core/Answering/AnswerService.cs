using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.SemanticKernel;
using PolicyChat.Core.Answering.Extractive;
using PolicyChat.Core.Conversations;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Answering;

/// <summary>
/// Answers a question from the collection: rewrite a follow-up, retrieve (with translations when a model is present),
/// abstain without evidence, then either stream the model's answer through the citation filter or quote the best
/// sentences (extractive mode). Emits sources, delta, citations and done events; the conversation is saved at the end.
/// </summary>
public sealed class AnswerService(
    HybridRetriever retriever,
    TextAnalyzer analyzer,
    PromptProvider prompts,
    ConversationStore conversations,
    AnswerOptions options,
    IChatClient? chat = null,
    ChatOptions? chatOptions = null,
    ILogger<AnswerService>? logger = null,
    PromptBudget? budget = null,
    Models.ModelAvailability? modelAvailability = null)
{
    private const int HistoryMessagesInPrompt = 6;
    private readonly ILogger _logger = logger ?? NullLogger<AnswerService>.Instance;
    private readonly Models.ModelAvailability _modelAvailability = modelAvailability ?? new Models.ModelAvailability();
    private readonly EvidenceScorer _evidence = new(analyzer);
    private readonly CitationVerifier _verifier = new(analyzer);
    private readonly Kernel? _kernel = chat is null ? null : AnswerKernel.Create(chat);
    private readonly PromptBudget _budget = budget ?? new PromptBudget(prompts, Tokens.TokenizerFactory.Default, 8192, chatOptions?.MaxOutputTokens ?? 1024);
    private readonly PromptExecutionSettings? _answerSettings = AnswerKernel.Settings(chatOptions);
    private readonly QueryRewriter _rewriter = new(chat is null ? null : AnswerKernel.Create(chat), prompts, analyzer);
    private readonly QueryTranslator? _translator = chat is null ? null : new QueryTranslator(AnswerKernel.Create(chat), prompts);
    private IReadOnlyList<string>? _collectionLanguages;
    private DateTimeOffset _languagesReadAt;

    public AnswerOptions Options { get; } = options;

    public bool HasModel => chat is not null;

    /// <summary>Throws <see cref="InvalidQuestionException"/> (message in the question's or the given UI language) for unusable input.</summary>
    public void Validate(AskRequest request, string? uiLanguage = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var language = uiLanguage ?? LanguageDetector.Detect(request.Question ?? "");
        if (string.IsNullOrWhiteSpace(request.Question))
        {
            throw new InvalidQuestionException("empty_question", AnswerText.EmptyQuestion(language));
        }
        if (request.Question.Length > Options.MaxQuestionChars)
        {
            throw new InvalidQuestionException("question_too_long", AnswerText.QuestionTooLong(language, Options.MaxQuestionChars));
        }
    }

    /// <summary>Runs the whole answer and returns it (the non-streaming API and `policychat ask --json`).</summary>
    public async Task<AnswerResult> AskAsync(AskRequest request, CancellationToken cancellationToken = default)
    {
        var text = new System.Text.StringBuilder();
        IReadOnlyList<Passage> passages = [];
        IReadOnlyList<Citation> citations = [];
        IReadOnlyList<string> unsupported = [];
        AnswerEvent? done = null;
        string? error = null;
        await foreach (var e in AskStreamAsync(request, cancellationToken))
        {
            switch (e.Type)
            {
                case AnswerEvent.SourcesType: passages = e.Passages!; break;
                case AnswerEvent.DeltaType: text.Append(e.Text); break;
                case AnswerEvent.CitationsType: citations = e.Citations!; unsupported = e.UnsupportedClaims ?? []; break;
                case AnswerEvent.DoneType: done = e; break;
                case AnswerEvent.ErrorType: error = e.Message; break;
            }
        }
        if (done is null)
        {
            throw new ModelAnswerException(error ?? "The answer did not complete.");
        }
        return new AnswerResult(text.ToString(), done.Language!, done.Mode!, citations, passages, done.ConversationId!,
            done.Question ?? request.Question, unsupported, done.Timings!, done.Evidence!, done.Notice, done.PassagesSent, done.Usage);
    }

    public async IAsyncEnumerable<AnswerEvent> AskStreamAsync(AskRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Validate(request);
        var total = Stopwatch.StartNew();
        var question = request.Question.Trim();
        var language = AnswerLanguage(question);
        var conversationId = string.IsNullOrWhiteSpace(request.ConversationId) ? ConversationStore.NewId() : request.ConversationId;
        var history = await conversations.GetAsync(conversationId, cancellationToken);

        var rewriteClock = Stopwatch.StartNew();
        var standalone = await _rewriter.RewriteAsync(question, history, cancellationToken);
        var rewriteMs = rewriteClock.Elapsed.TotalMilliseconds;

        var preparation = Stopwatch.StartNew();
        var queries = new List<string> { standalone };
        if (_translator is not null && Options.CrossLingual)
        {
            var others = (await CollectionLanguagesAsync(cancellationToken)).Where(l => l != LanguageDetector.Detect(standalone)).ToList();
            if (others.Count > 0)
            {
                queries.AddRange(await _translator.TranslateAsync(standalone, others, cancellationToken));
            }
        }
        var retrieval = await retriever.SearchManyAsync(queries, Options.Passages, cancellationToken: cancellationToken);
        var retrievalMs = preparation.Elapsed.TotalMilliseconds;
        // A rewritten follow-up is judged on either form: the passages may cover the follow-up's own words better.
        var evidenceQueries = standalone == question ? queries : [.. queries, question];
        var evidenceScore = await _evidence.ScoreAsync(evidenceQueries, retrieval.Hits, retriever.Store, cancellationToken);
        var evidence = new AnswerEvidence(Math.Round(evidenceScore, 4), Options.AbstainBelow);
        _logger.LogDebug("Question {Question}: {Hits} hits, evidence {Evidence:0.000}", standalone, retrieval.Hits.Count, evidenceScore);

        var passages = retrieval.Hits.Select((h, i) => new Passage(i + 1, h.DocumentId, h.Title, h.Outlet, h.Date, h.Language, h.Text, h.Start, h.End,
            Math.Round(h.Score, 6)) { Page = h.Page }).ToList();
        // Without a model (none configured, or the configured one has not answered yet or stopped answering) the quotes decide: answered, partial
        // (closest passages, no claims) or not found (ExtractiveOutcome). A model that answers again is still tried below.
        var withoutModel = chat is null || _modelAvailability.State != Models.ModelState.Available;
        var extractive = withoutModel && passages.Count > 0 ? await ExtractAsync(standalone, language, passages, cancellationToken) : null;
        var decided = extractive is null ? null : ExtractiveOutcome.Decide(extractive, evidenceScore, Options);
        if (decided is not null)
        {
            evidence = decided.Evidence;
        }

        if (retrieval.Hits.Count == 0 || (decided is null ? evidenceScore < Options.AbstainBelow : decided.Mode == AnswerModes.Abstained))
        {
            var notFound = AnswerText.NotFound(language);
            yield return AnswerEvent.Sources([]);
            yield return AnswerEvent.Delta(notFound);
            yield return AnswerEvent.CitationsFound([], []);
            var abstainTimings = new AnswerTimings(rewriteMs, retrievalMs, preparation.Elapsed.TotalMilliseconds, null, total.Elapsed.TotalMilliseconds);
            await SaveAsync(conversationId, standalone, notFound, cancellationToken);
            yield return AnswerEvent.Done(AnswerModes.Abstained, conversationId, language, standalone, abstainTimings, evidence, AnswerText.AbstainedNotice(language));
            yield break;
        }

        yield return AnswerEvent.Sources(passages);

        if (_kernel is not null)
        {
            var prompt = await FitAnswerPromptAsync(standalone, language, passages, history, cancellationToken);
            var preparationMs = preparation.Elapsed.TotalMilliseconds;
            var filter = new StreamingCitationFilter(passages, _verifier, Options.CitationSupportThreshold);
            var events = Channel.CreateUnbounded<AnswerEvent>();
            var usage = new UsageDetails();
            var streamed = StreamModelAsync(prompt, filter, events.Writer, usage, cancellationToken);
            double? firstTokenMs = null;
            await foreach (var e in events.Reader.ReadAllAsync(cancellationToken))
            {
                firstTokenMs ??= total.Elapsed.TotalMilliseconds;
                yield return e;
            }
            var outcome = await streamed;
            if (outcome != ModelOutcome.FailedBeforeOutput)
            {
                var tail = filter.Complete();
                if (tail.Length > 0)
                {
                    yield return AnswerEvent.Delta(tail);
                }
                var answerText = filter.Text;
                IReadOnlyList<Citation> citations = filter.Citations;
                string? notice = null;
                if (outcome == ModelOutcome.FailedAfterOutput)
                {
                    // The model died mid-answer: keep what was shown and append the extractive answer under a notice.
                    var fallback = await ExtractAsync(standalone, language, passages, cancellationToken);
                    var appended = "\n\n" + AnswerText.ModelStoppedNotice(language) + "\n\n" + fallback.Text;
                    yield return AnswerEvent.Delta(appended);
                    answerText += appended;
                    citations = [.. citations, .. fallback.Citations];
                    notice = AnswerText.ModelStoppedNotice(language);
                }
                yield return AnswerEvent.CitationsFound(citations, filter.UnsupportedClaims);
                var timings = new AnswerTimings(rewriteMs, retrievalMs, preparationMs, firstTokenMs, total.Elapsed.TotalMilliseconds);
                await SaveAsync(conversationId, standalone, answerText, cancellationToken);
                // The model's own counts when it sent them, otherwise counts made with the tokenizer.
                var counted = new AnswerUsage((int)(usage.InputTokenCount ?? prompt.Tokens), (int)(usage.OutputTokenCount ?? _budget.Count(filter.Text)));
                yield return AnswerEvent.Done(AnswerModes.Llm, conversationId, language, standalone, timings, evidence, notice) with
                {
                    PassagesSent = prompt.PassagesSent,
                    Usage = counted with { CompletionTokens = counted.CompletionTokens + (answerText.Length > filter.Text.Length ? _budget.Count(answerText[filter.Text.Length..]) : 0) },
                };
                yield break;
            }
            // The model could not be reached before it said anything: answer extractively instead.
        }

        extractive ??= await ExtractAsync(standalone, language, passages, cancellationToken);
        decided ??= ExtractiveOutcome.Decide(extractive, evidenceScore, Options);
        evidence = decided.Evidence;
        if (decided.Mode != AnswerModes.Extractive)
        {
            // No sentence answers the question well enough to quote as an answer: list the closest passages, claim nothing.
            var partial = ExtractiveAnswerer.Partial(language);
            yield return AnswerEvent.Delta(partial);
            yield return AnswerEvent.CitationsFound([], []);
            var partialTimings = new AnswerTimings(rewriteMs, retrievalMs, preparation.Elapsed.TotalMilliseconds, null, total.Elapsed.TotalMilliseconds);
            await SaveAsync(conversationId, standalone, partial, cancellationToken);
            yield return AnswerEvent.Done(AnswerModes.Partial, conversationId, language, standalone, partialTimings, evidence, AnswerText.PartialNotice(language));
            yield break;
        }
        yield return AnswerEvent.Delta(extractive.Text);
        yield return AnswerEvent.CitationsFound(extractive.Citations, []);
        var extractiveTimings = new AnswerTimings(rewriteMs, retrievalMs, preparation.Elapsed.TotalMilliseconds, null, total.Elapsed.TotalMilliseconds);
        await SaveAsync(conversationId, standalone, extractive.Text, cancellationToken);
        yield return AnswerEvent.Done(AnswerModes.Extractive, conversationId, language, standalone, extractiveTimings, evidence, AnswerText.ExtractiveNotice(language, chat is not null));
    }

    /// <summary>
    /// The answer prompt for a question, its numbered passages and the recent conversation (Arabic prompt for Arabic
    /// questions), fitted to the model's context window.
    /// </summary>
    public Task<FittedPrompt> FitAnswerPromptAsync(string question, string language, IReadOnlyList<Passage> passages,
        IReadOnlyList<ConversationMessage> history, CancellationToken cancellationToken = default)
    {
        var arabic = language == Languages.Arabic;
        var values = new Dictionary<string, string> { ["question"] = question };
        if (!arabic)
        {
            values["answer_language"] = AnswerText.LanguageName(language);
        }
        var lines = history.TakeLast(HistoryMessagesInPrompt)
            .Select(m => m.Role + ": " + (m.Content.Length > 600 ? m.Content[..600] + "…" : m.Content).ReplaceLineEndings(" "))
            .ToList();
        return _budget.FitAsync(arabic ? PromptProvider.AnswerArabic : PromptProvider.AnswerEnglish, values, passages, lines,
            arabic ? "المحادثة السابقة:" : "Earlier conversation:", _answerSettings, cancellationToken);
    }

    /// <summary>The language an answer is written in: the question's script (ar, en, zh); other scripts get English.</summary>
    public static string AnswerLanguage(string question)
    {
        var detected = LanguageDetector.Detect(question);
        return detected == Languages.Other ? Languages.English : detected;
    }

    private enum ModelOutcome { Completed, FailedBeforeOutput, FailedAfterOutput }

    private async Task<ModelOutcome> StreamModelAsync(FittedPrompt prompt, StreamingCitationFilter filter, ChannelWriter<AnswerEvent> writer,
        UsageDetails usage, CancellationToken cancellationToken)
    {
        var anyOutput = false;
        try
        {
            await foreach (var update in prompts.Function(prompt.Function).InvokeStreamingAsync(_kernel!, prompt.Arguments, cancellationToken))
            {
                // SK hands over the client's raw update: the OpenAI SDK's, whose usage is the server's count.
                if (update.InnerContent is OpenAI.Chat.StreamingChatCompletionUpdate { Usage: { } reported })
                {
                    usage.Add(new UsageDetails { InputTokenCount = reported.InputTokenCount, OutputTokenCount = reported.OutputTokenCount });
                }
                var text = update.ToString();
                if (string.IsNullOrEmpty(text))
                {
                    continue;
                }
                var visible = filter.Push(text);
                if (visible.Length > 0)
                {
                    anyOutput = true;
                    await writer.WriteAsync(AnswerEvent.Delta(visible), cancellationToken);
                }
            }
            _modelAvailability.ReportAvailable();
            return ModelOutcome.Completed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _modelAvailability.ReportFailure(ex, anyOutput ? "while streaming" : "before answering");
            return anyOutput ? ModelOutcome.FailedAfterOutput : ModelOutcome.FailedBeforeOutput;
        }
        finally
        {
            writer.TryComplete();
        }
    }

    private async Task<ExtractiveAnswer> ExtractAsync(string question, string language, IReadOnlyList<Passage> passages, CancellationToken cancellationToken)
    {
        var stats = retriever.Store is ITermStatisticsSource source
            ? await source.GetTermStatisticsAsync(analyzer.Terms(question).ToList(), cancellationToken)
            : TermStatistics.Empty;
        return new ExtractiveAnswerer(analyzer, Options.ExtractiveScoring).Answer(question, language, passages, stats, Options.ExtractiveSentences);
    }

    private async Task SaveAsync(string conversationId, string question, string answer, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        await conversations.AppendAsync(conversationId,
            [new ConversationMessage(ConversationStore.User, question, now), new ConversationMessage(ConversationStore.Assistant, answer, now)],
            cancellationToken);
    }

    private async Task<IReadOnlyList<string>> CollectionLanguagesAsync(CancellationToken cancellationToken)
    {
        if (_collectionLanguages is null || DateTimeOffset.UtcNow - _languagesReadAt > TimeSpan.FromMinutes(1))
        {
            var documents = await retriever.Store.ListDocumentsAsync(cancellationToken: cancellationToken);
            _collectionLanguages = documents.Select(d => d.Language).Where(l => l != Languages.Other).Distinct(StringComparer.Ordinal).ToList();
            _languagesReadAt = DateTimeOffset.UtcNow;
        }
        return _collectionLanguages;
    }
}

/// <summary>The model failed in a way the caller should see (a safe message, no exception text).</summary>
public sealed class ModelAnswerException(string message) : Exception(message);

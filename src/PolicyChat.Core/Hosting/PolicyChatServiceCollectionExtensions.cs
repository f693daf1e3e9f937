using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Conversations;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Models;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Qdrant;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;
using PolicyChat.Core.Tokens;

namespace PolicyChat.Core.Hosting;

/// <summary>
/// The composition root shared by the server and the CLI: binds every options section, validates it at start-up
/// (messages name the setting), and registers the core services as singletons.
/// </summary>
public static class PolicyChatServiceCollectionExtensions
{
    public static IServiceCollection AddPolicyChat(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddValidatedOptions<StorageOptions>(configuration.GetSection(StorageOptions.SectionName), o => o.Validate());
        services.AddValidatedOptions<SqliteIndexOptions>(configuration.GetSection("Storage:Sqlite"), o => o.Validate());
        services.AddValidatedOptions<QdrantOptions>(configuration.GetSection(QdrantOptions.SectionName), QdrantOptions.Validate);
        services.AddValidatedOptions<LlmOptions>(configuration.GetSection(LlmOptions.SectionName), o => o.Validate());
        services.AddValidatedOptions<TokenizerOptions>(configuration.GetSection(TokenizerOptions.SectionName), o => o.Validate());
        services.AddValidatedOptions<EmbeddingOptions>(configuration.GetSection(EmbeddingOptions.SectionName), o => o.Validate());
        services.AddValidatedOptions<RetrievalOptions>(configuration.GetSection("Retrieval"), o => o.Validate());
        services.AddValidatedOptions<AnswerOptions>(configuration.GetSection("Answer"), o => o.Validate());
        services.AddValidatedOptions<ChunkingOptions>(configuration.GetSection("Chunking"), ValidateChunking);
        services.AddValidatedOptions<DocumentLoaderOptions>(configuration.GetSection("Ingestion"), o => new[]
        {
            o.MaxFileBytes > 0 ? null : "Ingestion:MaxFileBytes must be positive.",
            o.MaxExtractedChars > 0 ? null : "Ingestion:MaxExtractedChars must be positive.",
        }.OfType<string>());
        services.AddValidatedOptions<IngestionOptions>(configuration.GetSection("Ingestion"), o => o.MaxDegreeOfParallelism > 0 ? [] : ["Ingestion:MaxDegreeOfParallelism must be at least 1."]);
        services.AddValidatedOptions<ConversationOptions>(configuration.GetSection("Conversations"), o => string.IsNullOrWhiteSpace(o.Path) ? ["Conversations:Path must name a database file."] : []);

        services.AddSingleton(TextAnalyzer.Default);
        services.AddSingleton(sp => TokenizerFactory.Create(Value<TokenizerOptions>(sp)));
        services.AddSingleton(sp => new Chunker(Value<ChunkingOptions>(sp), sp.GetRequiredService<Microsoft.ML.Tokenizers.Tokenizer>(),
            Value<EmbeddingOptions>(sp) is { Enabled: true } embedding ? embedding.MaxInputTokens : null));
        services.AddSingleton<DocumentIndexer>();
        services.AddSingleton(sp => new DocumentLoader(Value<DocumentLoaderOptions>(sp)));
        services.AddSingleton<IIndexStore>(sp =>
        {
            if (Value<StorageOptions>(sp).IsQdrant)
            {
                return new QdrantIndexStore(Value<QdrantOptions>(sp), sp.GetService<ILogger<QdrantIndexStore>>());
            }
            return new SqliteIndexStore(Value<SqliteIndexOptions>(sp), sp.GetService<ILogger<SqliteIndexStore>>());
        });
        services.AddSingleton(sp =>
        {
            var options = Value<EmbeddingOptions>(sp);
            var generator = ModelClients.CreateEmbeddingGenerator(options, ModelEndpoints.CreateHttpClient());
            return generator is null
                ? new OptionalEmbedder(null)
                : new OptionalEmbedder(new DocumentEmbedder(generator, new EmbedderInfo(options.Endpoint, options.Model, options.Dimensions ?? 0,
                    Value<ChunkingOptions>(sp).TargetTokens > 0 ? TokenizerFactory.Describe(Value<TokenizerOptions>(sp)) : null), options.BatchSize));
        });
        services.AddSingleton(sp => new HybridRetriever(sp.GetRequiredService<IIndexStore>(), sp.GetRequiredService<TextAnalyzer>(),
            Value<RetrievalOptions>(sp), sp.GetRequiredService<OptionalEmbedder>().Embedder));
        services.AddSingleton(sp => new IngestionPipeline(sp.GetRequiredService<IIndexStore>(), sp.GetRequiredService<DocumentLoader>(),
            sp.GetRequiredService<DocumentIndexer>(), Value<IngestionOptions>(sp), sp.GetRequiredService<OptionalEmbedder>().Embedder,
            sp.GetService<TimeProvider>()));
        services.AddSingleton(sp => new ConversationStore(Value<ConversationOptions>(sp), Value<AnswerOptions>(sp).MaxHistoryMessages));
        services.AddSingleton(sp => new ConversationHistory(Value<ConversationOptions>(sp)));
        services.AddSingleton(sp => PromptProvider.Load(PromptProvider.Locate(Value<AnswerOptions>(sp).PromptsPath)));
        services.AddSingleton(sp => new OptionalChatClient(Value<LlmOptions>(sp) is { Enabled: true } llm
            ? ModelClients.CreateChatClient(llm, ModelEndpoints.CreateHttpClient(), sp.GetService<ILoggerFactory>())
            : null));
        services.AddSingleton(sp => new ModelAvailability(sp.GetService<ILogger<ModelAvailability>>()));
        services.AddSingleton(sp =>
        {
            var llm = Value<LlmOptions>(sp);
            return new AnswerService(
                sp.GetRequiredService<HybridRetriever>(),
                sp.GetRequiredService<TextAnalyzer>(),
                sp.GetRequiredService<PromptProvider>(),
                sp.GetRequiredService<ConversationStore>(),
                Value<AnswerOptions>(sp),
                sp.GetRequiredService<OptionalChatClient>().Client,
                new ChatOptions { ModelId = llm.Model, Temperature = llm.Temperature, MaxOutputTokens = llm.MaxOutputTokens },
                sp.GetService<ILogger<AnswerService>>(),
                new PromptBudget(sp.GetRequiredService<PromptProvider>(), sp.GetRequiredService<Microsoft.ML.Tokenizers.Tokenizer>(), llm.ContextTokens, llm.MaxOutputTokens),
                sp.GetRequiredService<ModelAvailability>());
        });
        return services;
    }

    private static T Value<T>(IServiceProvider sp)
        where T : class => sp.GetRequiredService<IOptions<T>>().Value;

    private static void AddValidatedOptions<T>(this IServiceCollection services, IConfiguration section, Func<T, IEnumerable<string>> validate)
        where T : class
    {
        services.AddOptions<T>()
            .Bind(section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new DelegateValidator<T>(validate));
    }

    private static IEnumerable<string> ValidateChunking(ChunkingOptions o)
    {
        if (o.TargetChars < 100 || o.MaxChars < o.TargetChars)
        {
            yield return "Chunking:TargetChars must be at least 100 and Chunking:MaxChars at least Chunking:TargetChars.";
        }
        if (o.TargetTokens < 0 || (o.TargetTokens > 0 && o.MaxTokens < o.TargetTokens))
        {
            yield return "Chunking:TargetTokens must be positive (or 0 to size chunks in characters as before, see the README), and Chunking:MaxTokens at least Chunking:TargetTokens.";
        }
        if (o.OverlapSentences < 0)
        {
            yield return "Chunking:OverlapSentences must be zero or more.";
        }
    }

    /// <summary>Reports every message of an options class's own Validate() (the name of the setting and what to fix).</summary>
    private sealed class DelegateValidator<T>(Func<T, IEnumerable<string>> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var failures = validate(options).ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}

/// <summary>The chat client, or null when no model is configured (answers are then extractive).</summary>
public sealed record OptionalChatClient(IChatClient? Client);

/// <summary>The embedder, or null when no embedding model is configured (no dense leg).</summary>
public sealed record OptionalEmbedder(DocumentEmbedder? Embedder);

using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using PolicyChat.Core.Models;

namespace PolicyChat.Core.Tests.Models;

/// <summary>A model that is not running must not put a stack trace in the log for every call, unless call logging is asked for.</summary>
public sealed class ModelCallLoggingTests : ModelTestBase
{
    [Theory]
    [InlineData(LogLevel.Information, false)]
    [InlineData(LogLevel.Debug, true)]
    public async Task UnreachableModel_LogsLibraryCallFailuresOnlyAtDebug(LogLevel minimum, bool expectLibraryEntries)
    {
        var sink = new Sink();
        using var factory = LoggerFactory.Create(b => b.AddProvider(sink).SetMinimumLevel(minimum));
        using var client = ModelClients.CreateChatClient(new LlmOptions { Endpoint = ClosedPortUrl(), Model = ChatModel, TimeoutSeconds = 5 }, Http, factory, withBreaker: false);

        await Assert.ThrowsAsync<ModelException>(() => client.GetResponseAsync(Question));

        var library = sink.Entries.Where(e => e.Category.StartsWith("Microsoft.Extensions.AI", StringComparison.Ordinal)).ToList();
        Assert.Equal(expectLibraryEntries, library.Count > 0);
    }

    private sealed class Sink : ILoggerProvider
    {
        public List<(string Category, LogLevel Level)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(Sink sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (sink.Entries)
                {
                    sink.Entries.Add((category, logLevel));
                }
            }
        }
    }
}

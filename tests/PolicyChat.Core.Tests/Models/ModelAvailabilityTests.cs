using Microsoft.Extensions.Logging;
using PolicyChat.Core.Models;

namespace PolicyChat.Core.Tests.Models;

public sealed class ModelAvailabilityTests
{
    [Fact]
    public void ReportFailure_ManyQuestionsWhileDown_WarnsOncePerStateChange()
    {
        var logger = new ListLogger<ModelAvailability>();
        var availability = new ModelAvailability(logger);
        var down = new ModelException(ModelFailureKind.Unreachable, "http://localhost:11434 refused the connection");

        var changes = new List<bool>();
        for (var i = 0; i < 5; i++)
        {
            changes.Add(availability.ReportFailure(down, "before answering"));
        }
        changes.Add(availability.ReportAvailable());
        changes.Add(availability.ReportAvailable());
        changes.Add(availability.ReportFailure(down, "before answering"));

        Assert.Equal([true, false, false, false, false, true, false, true], changes);
        Assert.Equal(2, logger.Entries.Count(e => e.Level == LogLevel.Warning));
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Information);
        Assert.Equal(4, logger.Entries.Count(e => e.Level == LogLevel.Debug));
        Assert.Equal(ModelState.Unavailable, availability.State);
        Assert.Contains("refused the connection", logger.Entries.First(e => e.Level == LogLevel.Warning).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportFailure_TimeoutOfARunningModel_IsAnEventNotAState()
    {
        var logger = new ListLogger<ModelAvailability>();
        var availability = new ModelAvailability(logger);
        availability.ReportAvailable();

        var changed = availability.ReportFailure(new ModelException(ModelFailureKind.Timeout, "no token within 30 s"), "before answering");
        availability.ReportFailure(new ModelException(ModelFailureKind.Timeout, "no token within 30 s"), "before answering");

        Assert.False(changed);
        Assert.Equal(ModelState.Available, availability.State);
        Assert.Equal(2, logger.Entries.Count(e => e.Level == LogLevel.Warning));
    }

    [Fact]
    public void State_BeforeAnyAnswer_IsUnknown() => Assert.Equal(ModelState.Unknown, new ModelAvailability().State);

    private sealed class ListLogger<T> : ILogger<T>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}

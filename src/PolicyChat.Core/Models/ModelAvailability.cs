using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PolicyChat.Core.Models;

/// <summary>Whether the language model answered the last time it was called.</summary>
public enum ModelState
{
    Unknown,
    Available,
    Unavailable,
}

/// <summary>
/// The language model's state as answers find it, logged once per change (not once per question): a model server
/// that is simply not running is a state of the service, not an event of every answer.
/// </summary>
public sealed class ModelAvailability(ILogger<ModelAvailability>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<ModelAvailability>.Instance;
    private int _state = (int)ModelState.Unknown;

    public ModelState State => (ModelState)Volatile.Read(ref _state);

    /// <summary>The model answered. Returns true when this changed the state.</summary>
    public bool ReportAvailable()
    {
        var previous = (ModelState)Interlocked.Exchange(ref _state, (int)ModelState.Available);
        if (previous == ModelState.Unavailable)
        {
            _logger.LogInformation("The language model answers again: answers are generated.");
        }
        return previous != ModelState.Available;
    }

    /// <summary>The model failed. Logs a warning when this changed the state (debug otherwise). Returns true when it changed.</summary>
    public bool ReportUnavailable(Exception failure, string when)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var previous = (ModelState)Interlocked.Exchange(ref _state, (int)ModelState.Unavailable);
        var changed = previous != ModelState.Unavailable;
        var level = changed ? LogLevel.Warning : LogLevel.Debug;
        if (failure is ModelException model)
        {
            // A classified failure already names the endpoint and the fix; its stack trace adds nothing.
            _logger.Log(level, "The language model failed {When}: {Reason}. Answers quote the sources until it is back (logged once until it changes).",
                when, model.Message);
        }
        else
        {
            _logger.Log(level, failure, "The language model failed {When}. Answers quote the sources until it is back (logged once until it changes).", when);
        }
        return changed;
    }
}

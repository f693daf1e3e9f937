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

    /// <summary>
    /// The model failed. A failure that says no model is there to answer (unreachable, model missing, key refused;
    /// for an open circuit, the failure that opened it) makes the state Unavailable and is logged as a warning only
    /// when that changes the state (debug otherwise). Any other failure (timeout, busy, server error, dropped stream)
    /// is an event of this answer: logged as a warning, state unchanged. Returns true when the state changed.
    /// </summary>
    public bool ReportFailure(Exception failure, string when)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var cause = failure is ModelException { Kind: ModelFailureKind.CircuitOpen, InnerException: ModelException opener } ? opener : failure;
        if (cause is not ModelException { Kind: ModelFailureKind.Unreachable or ModelFailureKind.ModelNotFound or ModelFailureKind.Unauthorized })
        {
            // A classified failure already names the endpoint and the fix; its stack trace adds nothing.
            _logger.LogWarning(cause is ModelException ? null : cause, "The language model failed {When}: {Reason}", when, cause.Message);
            return false;
        }
        var changed = (ModelState)Interlocked.Exchange(ref _state, (int)ModelState.Unavailable) != ModelState.Unavailable;
        _logger.Log(changed ? LogLevel.Warning : LogLevel.Debug,
            "The language model failed {When}: {Reason}. Answers quote the sources until it is back (logged once until it changes).", when, cause.Message.TrimEnd('.'));
        return changed;
    }
}

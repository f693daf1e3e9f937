namespace PolicyChat.Core.Models;

/// <summary>Why a call to a model server failed.</summary>
public enum ModelFailureKind
{
    /// <summary>The server could not be reached (connection refused, DNS, wrong endpoint).</summary>
    Unreachable,

    /// <summary>No answer in time.</summary>
    Timeout,

    /// <summary>The server does not have the model (Ollama 404 "try pulling it first", vLLM "does not exist").</summary>
    ModelNotFound,

    /// <summary>The server is busy or still loading the model (429, 503; llama-server answers 503 "Loading model").</summary>
    Overloaded,

    /// <summary>The server rejected the key (401/403).</summary>
    Unauthorized,

    /// <summary>The server rejected the request (400/422, e.g. the prompt exceeds the context window).</summary>
    BadRequest,

    /// <summary>The server failed (5xx, or an error object after a 200 status), or the connection dropped before the answer was complete.</summary>
    ServerError,

    /// <summary>The server answered something that is not a valid OpenAI-compatible response.</summary>
    InvalidResponse,

    /// <summary>Not called: the model failed recently and is being probed (see <see cref="ResilientChatClient"/>).</summary>
    CircuitOpen,
}

/// <summary>
/// A model server failed to answer. <see cref="Exception.Message"/> is safe to log and to show an operator (CLI):
/// it names the endpoint, the model and the fix, never a stack trace or the prompt. End users should see
/// <see cref="UserMessageEnglish"/> / <see cref="UserMessageArabic"/> instead.
/// </summary>
public sealed class ModelException(ModelFailureKind kind, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public ModelFailureKind Kind { get; } = kind;

    /// <summary>True when trying again later may succeed without changing the configuration.</summary>
    public bool IsTransient => Kind is not (ModelFailureKind.ModelNotFound or ModelFailureKind.Unauthorized or ModelFailureKind.BadRequest or ModelFailureKind.InvalidResponse);

    /// <summary>A short English message for end users.</summary>
    public string UserMessageEnglish => Kind switch
    {
        ModelFailureKind.Timeout => "The language model took too long to answer. Please try again.",
        ModelFailureKind.Overloaded => "The language model is busy or still starting. Please try again in a minute.",
        ModelFailureKind.BadRequest => "The language model could not process this question. Try a shorter or simpler question.",
        ModelFailureKind.ServerError or ModelFailureKind.InvalidResponse => "The language model stopped before finishing its answer. Please try again.",
        _ => "The language model is not available right now. Please try again later.",
    };

    /// <summary>The same message in Arabic.</summary>
    public string UserMessageArabic => Kind switch
    {
        ModelFailureKind.Timeout => "استغرق النموذج اللغوي وقتًا طويلًا في الإجابة. يُرجى المحاولة مرة أخرى.",
        ModelFailureKind.Overloaded => "النموذج اللغوي مشغول أو ما زال قيد التشغيل. يُرجى المحاولة بعد دقيقة.",
        ModelFailureKind.BadRequest => "تعذّر على النموذج اللغوي معالجة هذا السؤال. جرّب سؤالًا أقصر أو أبسط.",
        ModelFailureKind.ServerError or ModelFailureKind.InvalidResponse => "توقّف النموذج اللغوي قبل إكمال إجابته. يُرجى المحاولة مرة أخرى.",
        _ => "النموذج اللغوي غير متاح حاليًا. يُرجى المحاولة لاحقًا.",
    };
}

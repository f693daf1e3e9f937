using System.Text;
using PolicyChat.Core.Answering;

namespace PolicyChat.Core.Conversations;

/// <summary>
/// Collects one streamed answer (sources, deltas, citations, done) into the turn that the history keeps. Pure: it only
/// looks at the events it is given.
/// </summary>
public sealed class TurnRecorder(string question)
{
    private readonly StringBuilder _answer = new();
    private IReadOnlyList<Passage> _passages = [];
    private IReadOnlyList<Citation> _citations = [];
    private IReadOnlyList<string> _unsupported = [];

    /// <summary>The done event, once seen; null while the answer is incomplete (or it failed).</summary>
    public AnswerEvent? Done { get; private set; }

    public void Observe(AnswerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e.Type)
        {
            case AnswerEvent.SourcesType:
                _passages = e.Passages ?? [];
                break;
            case AnswerEvent.DeltaType:
                _answer.Append(e.Text);
                break;
            case AnswerEvent.CitationsType:
                _citations = e.Citations ?? [];
                _unsupported = e.UnsupportedClaims ?? [];
                break;
            case AnswerEvent.DoneType:
                Done = e;
                break;
        }
    }

    /// <summary>The turn, or null when the answer did not complete.</summary>
    public HistoryTurn? Turn(DateTimeOffset at) => Done is null
        ? null
        : new HistoryTurn(0, at, question, _answer.ToString(), Done.Mode, Done.Language, Done.Notice, _passages, _citations, _unsupported);
}

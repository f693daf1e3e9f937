namespace PolicyChat.Core.Text;

/// <summary>
/// One analyzed token. <see cref="Start"/> and <see cref="Length"/> point into the ORIGINAL text that was analyzed,
/// so callers can highlight or quote the source span. <see cref="Term"/> is the normalized, stemmed form.
/// </summary>
public readonly record struct AnalyzedToken(string Term, int Start, int Length, bool IsStopWord);

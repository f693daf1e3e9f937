namespace PolicyChat.Core.Text;

// CONTRACT STUB: the Text helper replaces the body; keep the public signature.
public static class LanguageDetector
{
    /// <summary>Detects the dominant language by script: "ar", "en", "zh" or "other".</summary>
    public static string Detect(ReadOnlySpan<char> text) => throw new NotImplementedException();
}

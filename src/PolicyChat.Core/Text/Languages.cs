namespace PolicyChat.Core.Text;

/// <summary>Language codes used throughout PolicyChat (detected by script, not by a statistical model).</summary>
public static class Languages
{
    public const string Arabic = "ar";
    public const string English = "en";
    public const string Chinese = "zh";
    public const string Other = "other";
}

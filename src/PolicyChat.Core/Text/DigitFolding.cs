namespace PolicyChat.Core.Text;

/// <summary>Normalization step: Arabic-Indic and Persian digits become ASCII; Arabic number separators become ASCII ones.</summary>
internal static class DigitFolding
{
    /// <summary>٠–٩ and ۰–۹ → 0–9; Arabic decimal separator ٫ → '.', Arabic thousands separator ٬ → ','.</summary>
    public static char Fold(char c) => c switch
    {
        >= '\u0660' and <= '\u0669' => (char)('0' + (c - '\u0660')),
        >= '\u06F0' and <= '\u06F9' => (char)('0' + (c - '\u06F0')),
        '\u066B' => '.',
        '\u066C' => ',',
        _ => c,
    };
}

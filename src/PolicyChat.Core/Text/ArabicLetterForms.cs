namespace PolicyChat.Core.Text;

/// <summary>Normalization step: Arabic letter variants that writers use interchangeably are unified.</summary>
internal static class ArabicLetterForms
{
    /// <summary>
    /// أ إ آ ٱ → ا; ى → ي; ة → ه; ؤ → و; ئ → ي; also the Persian keyboard's ی → ي and ک → ك,
    /// which appear in Arabic text typed on Persian layouts.
    /// </summary>
    public static char Fold(char c) => c switch
    {
        '\u0623' or '\u0625' or '\u0622' or '\u0671' => '\u0627',
        '\u0649' or '\u0626' or '\u06CC' => '\u064A',
        '\u0629' => '\u0647',
        '\u0624' => '\u0648',
        '\u06A9' => '\u0643',
        _ => c,
    };
}

using PolicyChat.Core.Text;

namespace PolicyChat.Core.Retrieval;

/// <summary>
/// The terms of a question that a passage in another language can contain without translation: names written in
/// Latin script and numbers. Arabic and Chinese news keep many names in Latin script ("DeepSeek", "Xi Jinping",
/// "ZTE"), and digits are folded to one form by the analyzer, so these terms match across languages where the
/// question's other words cannot.
/// <list type="bullet">
/// <item>In a question written mostly in Arabic or Chinese, every Latin-script word is an anchor name.</item>
/// <item>In an English question a word is an anchor name when it is capitalized and does not open a sentence, or
/// carries a capital after its first letter (DeepSeek, ZTE, OpenAI) wherever it stands.</item>
/// <item>Numbers are anchors too but never a name: they narrow a match and cannot make one.</item>
/// </list>
/// Pure and deterministic.
/// </summary>
public static class CrossLanguageAnchors
{
    /// <summary>An anchor term (analyzed as the word index analyzes it) and whether it is a name.</summary>
    public readonly record struct Anchor(string Term, bool IsName);

    /// <summary>The distinct anchors of <paramref name="question"/>, first occurrence first.</summary>
    public static IReadOnlyList<Anchor> Find(string question, TextAnalyzer analyzer)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(analyzer);
        var latinQuestion = LanguageDetector.Detect(question) == Languages.English;
        var anchors = new List<Anchor>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in analyzer.Tokenize(question))
        {
            if (token.IsStopWord || token.Length == 0)
            {
                continue;
            }
            var span = question.AsSpan(token.Start, token.Length);
            bool? isName = Classify(question, token.Start, span, latinQuestion);
            if (isName is null || !seen.Add(token.Term))
            {
                continue;
            }
            anchors.Add(new Anchor(token.Term, isName.Value));
        }
        return anchors;
    }

    /// <summary>True for a name, false for a number, null for a word that needs translation.</summary>
    private static bool? Classify(string text, int start, ReadOnlySpan<char> word, bool latinQuestion)
    {
        if (IsNumber(word))
        {
            return false;
        }
        if (!IsLatinWord(word))
        {
            return null;
        }
        if (!latinQuestion)
        {
            return true;
        }
        for (int i = 1; i < word.Length; i++)
        {
            if (char.IsUpper(word[i]))
            {
                return true;
            }
        }
        return char.IsUpper(word[0]) && !OpensSentence(text, start) ? true : null;
    }

    private static bool IsNumber(ReadOnlySpan<char> word)
    {
        var digits = 0;
        foreach (var c in word)
        {
            if (char.IsDigit(c))
            {
                digits++;
            }
            else if (!CharClass.IsNumberSeparator(c))
            {
                return false;
            }
        }
        return digits > 0;
    }

    private static bool IsLatinWord(ReadOnlySpan<char> word)
    {
        var letters = 0;
        foreach (var c in word)
        {
            if (CharClass.IsLatinLetter(c))
            {
                letters++;
            }
            else if (char.IsLetter(c))
            {
                return false;
            }
        }
        return letters > 0;
    }

    /// <summary>True when only punctuation, spaces or quotes stand between the start of a sentence and the word.</summary>
    private static bool OpensSentence(string text, int start)
    {
        for (int i = start - 1; i >= 0; i--)
        {
            var c = text[i];
            if (c is '.' or '?' or '!' or '\n' or '؟' or '。' or '？' or '！' or ':')
            {
                return true;
            }
            if (char.IsLetterOrDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}

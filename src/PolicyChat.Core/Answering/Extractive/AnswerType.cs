using PolicyChat.Core.Text;

namespace PolicyChat.Core.Answering.Extractive;

/// <summary>What kind of answer a question asks for, read from its question words.</summary>
public enum AnswerKind
{
    /// <summary>No particular kind (what, why, how…).</summary>
    Any,

    /// <summary>A count or an amount: كم, how many, how much, 多少.</summary>
    Number,

    /// <summary>A date or a time: متى, في أي عام, when, what year, 何时.</summary>
    Date,

    /// <summary>A person or an organization: من (at the start), who, whom, whose, 谁.</summary>
    Name,
}

/// <summary>
/// Answer-type detection for extractive answers: <see cref="Of"/> reads the kind a question asks for from its normalized
/// (unstemmed) words; <see cref="Holds"/> says whether a sentence contains an answer of that kind that the question does
/// not already name (a number, a year or month, a capitalized name). Pure text processing, no statistics.
/// </summary>
public static class AnswerType
{
    // Normalized forms (alef, ya and ta marbuta folded as TextNormalizer does): "متى" → "متي", "سنة" → "سنه".
    private static readonly HashSet<string> s_arabicYearWords = Normalized("عام", "العام", "سنه", "السنه", "تاريخ", "القرن", "قرن", "يوم", "شهر");
    private static readonly HashSet<string> s_englishDateNouns = Normalized("year", "years", "date", "century", "decade", "month", "day", "era", "period");
    private static readonly HashSet<string> s_englishCountNouns = Normalized("percentage", "percent", "number", "amount", "population", "size", "length", "distance", "cost", "price");
    private static readonly HashSet<string> s_arabicCountNouns = Normalized("عدد", "نسبه", "مقدار", "قيمه", "حجم", "طول", "مساحه", "سعر", "تكلفه");

    private static readonly HashSet<string> s_arabicPrepositionalFollowers = Normalized(
        "اين", "اي", "ايه", "بين", "اجل", "خلال", "حيث", "ضمن", "قبل", "بعد", "المسوول", "المسؤول");

    private static readonly HashSet<string> s_months = Normalized(
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "يناير", "فبراير", "مارس", "ابريل", "مايو", "يونيو", "يوليو", "اغسطس", "سبتمبر", "اكتوبر", "نوفمبر", "ديسمبر",
        "كانون", "شباط", "اذار", "نيسان", "ايار", "حزيران", "تموز", "اب", "ايلول", "تشرين");

    private static readonly HashSet<string> s_numberWords = Normalized(
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "twenty", "thirty",
        "forty", "fifty", "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion", "billions", "dozen", "dozens", "half", "percent",
        "واحد", "واحده", "اثنان", "اثنين", "اثنتان", "ثلاث", "ثلاثه", "اربع", "اربعه", "خمس", "خمسه", "ست", "سته", "سبع", "سبعه",
        "ثماني", "ثمانيه", "تسع", "تسعه", "عشر", "عشره", "عشرين", "عشرون", "مائه", "مئه", "مئات", "الف", "الاف", "مليون", "ملايين",
        "مليار", "مليارات", "نصف", "ثلث", "ربع", "بالمائه", "بالمئه", "المائه", "المئه");

    private static readonly HashSet<string> s_dateWords = Normalized(
        "century", "centuries", "decade", "القرن", "قرن", "عقد", "الميلادي", "ميلادي", "هجري", "bc", "ad");

    private static readonly HashSet<string> s_authorshipWords = Normalized(
        "كاتب", "الكاتب", "كتب", "كتبه", "كتبت", "مؤلف", "المؤلف", "author", "authors", "wrote", "writer", "written", "authored");

    // Words that name the text a who-wrote question is about, not its subject ("من كاتب المقال عن…").
    private static readonly HashSet<string> s_textWords = Normalized(
        "مقال", "المقال", "مقاله", "المقاله", "مقالة", "المقالة", "تقرير", "التقرير", "article", "report", "piece", "essay");

    private static readonly string[] s_bylineLabels = ["المؤلف", "الكاتب", "بقلم", "كتب", "author", "by", "written by"];

    // The lists are written as words are spelled; matching is on normalized forms.
    private static HashSet<string> Normalized(params string[] words) => new(words.Select(TextNormalizer.Normalize), StringComparer.Ordinal);

    /// <summary>The kind of answer <paramref name="question"/> asks for.</summary>
    public static AnswerKind Of(string question, TextAnalyzer analyzer)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(analyzer);
        var words = Words(question, analyzer);
        if (words.Count == 0)
        {
            return AnswerKind.Any;
        }
        if (question.Contains('多', StringComparison.Ordinal) && question.Contains('少', StringComparison.Ordinal) || question.Contains('几', StringComparison.Ordinal))
        {
            return AnswerKind.Number;
        }
        if (question.Contains("何时", StringComparison.Ordinal) || question.Contains("什么时候", StringComparison.Ordinal) || question.Contains("哪一年", StringComparison.Ordinal))
        {
            return AnswerKind.Date;
        }
        if (question.Contains('谁', StringComparison.Ordinal))
        {
            return AnswerKind.Name;
        }
        for (var i = 0; i < words.Count; i++)
        {
            var w = StripConjunction(words[i]);
            var next = i + 1 < words.Count ? words[i + 1] : "";
            var after = i + 2 < words.Count ? words[i + 2] : "";
            switch (w)
            {
                case "كم":
                case "بكم":
                    return AnswerKind.Number;
                case "متي":
                    return AnswerKind.Date;
                case "how" when next is "many" or "much" or "long" or "old" or "far" or "large" or "big" or "tall" or "often":
                    return next is "long" && after is "ago" ? AnswerKind.Date : AnswerKind.Number;
                case "when":
                    return AnswerKind.Date;
                case "who" or "whom" or "whose":
                    return AnswerKind.Name;
                case "what" or "which" when s_englishDateNouns.Contains(next) || (next is "the" && s_englishDateNouns.Contains(after)):
                    return AnswerKind.Date;
                case "what" or "which" when s_englishCountNouns.Contains(next) || (next is "the" && s_englishCountNouns.Contains(after)):
                    return AnswerKind.Number;
                case "اي" or "ايه" when s_arabicYearWords.Contains(next):
                    return AnswerKind.Date;
                case "ما" or "ماذا" when s_arabicCountNouns.Contains(next):
                    return AnswerKind.Number;
                // A question opening with من asks "who", unless من is the preposition ("من أين", "من بين").
                case "من" when i == 0 && next.Length > 0 && !s_arabicPrepositionalFollowers.Contains(next):
                    return AnswerKind.Name;
            }
            // Question words come first (Arabic) or early (English "In what year…").
            if (i >= 4)
            {
                break;
            }
        }
        return AnswerKind.Any;
    }

    /// <summary>
    /// True when <paramref name="sentence"/> holds an answer of <paramref name="kind"/> that is not among
    /// <paramref name="questionWords"/> (normalized question words); always true for <see cref="AnswerKind.Any"/>. Null
    /// when the script cannot tell: names are recognized by their capitals, so a name in Arabic or Chinese text is unknown.
    /// </summary>
    public static bool? Holds(AnswerKind kind, string sentence, IReadOnlySet<string> questionWords, TextAnalyzer analyzer)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        ArgumentNullException.ThrowIfNull(questionWords);
        ArgumentNullException.ThrowIfNull(analyzer);
        if (kind == AnswerKind.Any)
        {
            return true;
        }
        var anyLatin = false;
        foreach (var token in analyzer.Tokenize(sentence))
        {
            var surface = sentence.AsSpan(token.Start, token.Length);
            var word = StripConjunction(analyzer.Normalize(surface.ToString()));
            if (questionWords.Contains(word))
            {
                continue;
            }
            var hasDigit = word.Any(char.IsAsciiDigit);
            anyLatin |= char.IsAsciiLetter(surface[0]);
            switch (kind)
            {
                case AnswerKind.Number when hasDigit || s_numberWords.Contains(word) || s_numberWords.Contains(StripArticle(word)):
                    return true;
                case AnswerKind.Date when IsYear(word) || s_months.Contains(word) || s_months.Contains(StripArticle(word)) || s_dateWords.Contains(word):
                    return true;
                case AnswerKind.Name when char.IsUpper(surface[0]) && token.Start > 0 && !token.IsStopWord:
                    return true;
            }
        }
        return kind == AnswerKind.Name && !anyLatin ? null : false;
    }

    /// <summary>True when a who-question asks for the author of a text ("من كاتب المقال…", "Who wrote…").</summary>
    public static bool AsksForAuthor(AnswerKind kind, IReadOnlyCollection<string> questionWords) =>
        kind == AnswerKind.Name && questionWords.Any(s_authorshipWords.Contains);

    /// <summary>
    /// True for a word of a who-wrote question that asks for the author or names the text ("كاتب", "المقال", "wrote",
    /// "article"): the rest of the question is the text's subject. Takes a normalized word.
    /// </summary>
    public static bool AsksAboutTheText(string word) => s_authorshipWords.Contains(word) || s_textWords.Contains(word);

    /// <summary>A byline: a line that opens with an author label ("المؤلف: يو شاوتشينغ", "بقلم …", "By Jane Doe").</summary>
    public static bool IsByline(string sentence, TextAnalyzer analyzer)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        ArgumentNullException.ThrowIfNull(analyzer);
        var text = analyzer.Normalize(sentence.Trim());
        if (text.Length > 80)
        {
            return false;
        }
        foreach (var label in s_bylineLabels)
        {
            var normalized = TextNormalizer.Normalize(label);
            if (text.StartsWith(normalized, StringComparison.Ordinal) && text.Length > normalized.Length
                && (text[normalized.Length] is ':' or ' ' or '\u00A0'))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The question's normalized, unstemmed words (prefix conjunctions kept).</summary>
    public static List<string> Words(string text, TextAnalyzer analyzer)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(analyzer);
        return analyzer.Tokenize(text).Select(t => analyzer.Normalize(text.Substring(t.Start, t.Length))).ToList();
    }

    private static bool IsYear(string word) =>
        word.Length is 4 && word.All(char.IsAsciiDigit) && word[0] is '1' or '2'
        || (word.Length > 4 && word.EndsWith('s') && word[..^1].All(char.IsAsciiDigit)); // 1990s

    private static string StripConjunction(string word) =>
        word.Length >= 3 && word[0] is 'و' or 'ف' && word[1..] is "كم" or "متي" or "من" ? word[1..] : word;

    private static string StripArticle(string word) =>
        word.StartsWith("ال", StringComparison.Ordinal) && word.Length > 4 ? word[2..] : word;
}

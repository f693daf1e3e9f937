using System.Collections.Frozen;

namespace PolicyChat.Core.Text;

/// <summary>
/// Arabic and English stop words, stored and compared in NORMALIZED, unstemmed form (so أن, إن and ان are one entry).
/// </summary>
internal static class StopWords
{
    private static readonly string[] s_arabicRaw =
    [
        // Prepositions and particles
        "في", "من", "على", "إلى", "الى", "عن", "مع", "منذ", "حتى", "عند", "لدى", "نحو", "ضد", "حول", "خلال", "دون",
        "ضمن", "بين", "بعد", "قبل", "فوق", "تحت", "أمام", "عبر", "سوى", "مثل",
        // Demonstratives and relatives
        "هذا", "هذه", "ذلك", "تلك", "هؤلاء", "أولئك", "هنا", "هناك", "هنالك", "ذا", "ذات", "ذي", "هذين", "هاتين",
        "التي", "الذي", "الذين", "اللذان", "اللتان", "اللذين", "اللتين", "اللاتي", "اللواتي", "اللائي",
        // Conjunctions and particles
        "أن", "إن", "أنّ", "إنّ", "لأن", "لكن", "لكنّ", "ولكن", "أو", "أم", "ثم", "بل", "كما", "كذلك", "أيضا", "أيضاً",
        "إذا", "إذ", "إذن", "لو", "لولا", "إما", "أما", "إلا", "حيث", "بينما", "عندما", "كلما", "لما", "كي", "لكي",
        "قد", "لقد", "فقد", "وقد", "لا", "ولا", "لم", "ولم", "لن", "ليس", "ليست", "كلا", "نعم", "سوف", "يا",
        "و", "ف", "وفي", "ومن", "وعلى", "وعن", "ومع", "وإن", "وأن", "فإن", "وما", "وهو", "وهي", "وكان", "وكانت",
        // Auxiliary verbs
        "كان", "كانت", "كانوا", "يكون", "تكون", "يكن", "تم", "يتم",
        // Pronouns and pronoun-carrying prepositions
        "هو", "هي", "هم", "هن", "هما", "نحن", "أنا", "أنت", "أنتم", "أنتما", "أنتن",
        "له", "لها", "لهم", "لهما", "لنا", "لي", "به", "بها", "بهم", "فيه", "فيها", "فيهم", "منه", "منها", "منهم",
        "عنه", "عنها", "عنهم", "عليه", "عليها", "عليهم", "إليه", "إليها", "إليهم", "معه", "معها", "معهم",
        // Quantifiers
        "كل", "بعض", "جميع", "أي", "أيّ",
        // Question words
        "ما", "ماذا", "متى", "أين", "كيف", "لماذا", "هل", "كم",
    ];

    private static readonly string[] s_englishRaw =
    [
        // Lucene's default English stop set
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
        "will", "with",
        // Question words
        "what", "which", "who", "whom", "whose", "when", "where", "why", "how",
        // Auxiliaries
        "do", "does", "did", "doing", "were", "been", "being", "am", "have", "has", "had", "having",
        "would", "should", "could", "can",
        // Pronouns and determiners
        "i", "me", "my", "we", "us", "our", "you", "your", "he", "him", "his", "she", "her", "its", "them", "those",
        "any", "some", "each", "all", "both",
        // Prepositions and adverbs
        "from", "about", "than", "so", "very", "also", "too", "between", "after", "before", "during", "over", "under",
        "here", "while",
    ];

    public static FrozenSet<string> Arabic { get; } = Build(s_arabicRaw);

    public static FrozenSet<string> English { get; } = Build(s_englishRaw);

    private static readonly FrozenSet<string> s_all = Build([.. s_arabicRaw, .. s_englishRaw]);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> s_lookup =
        s_all.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>True when the NORMALIZED, unstemmed word is a stop word.</summary>
    public static bool Contains(ReadOnlySpan<char> normalizedWord) => s_lookup.Contains(normalizedWord);

    private static FrozenSet<string> Build(IEnumerable<string> raw)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (string word in raw)
        {
            set.Add(TextNormalizer.Normalize(word));
        }
        return set.ToFrozenSet(StringComparer.Ordinal);
    }
}

using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Text;

public sealed class EnglishStemmerTests
{
    private static string Stem(string word)
    {
        char[] buffer = word.ToCharArray();
        return new string(buffer, 0, EnglishStemmer.Stem(buffer));
    }

    // Examples from Porter (1980), run through the whole algorithm; cross-checked against the Snowball "porter" stemmer.
    [Theory]
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("ties", "ti")]
    [InlineData("caress", "caress")]
    [InlineData("cats", "cat")]
    [InlineData("feed", "feed")]
    [InlineData("agreed", "agre")]
    [InlineData("plastered", "plaster")]
    [InlineData("bled", "bled")]
    [InlineData("motoring", "motor")]
    [InlineData("sing", "sing")]
    [InlineData("conflated", "conflat")]
    [InlineData("troubled", "troubl")]
    [InlineData("sized", "size")]
    [InlineData("hopping", "hop")]
    [InlineData("tanned", "tan")]
    [InlineData("falling", "fall")]
    [InlineData("hissing", "hiss")]
    [InlineData("fizzed", "fizz")]
    [InlineData("failing", "fail")]
    [InlineData("filing", "file")]
    [InlineData("happy", "happi")]
    [InlineData("sky", "sky")]
    [InlineData("relational", "relat")]
    [InlineData("conditional", "condit")]
    [InlineData("rational", "ration")]
    [InlineData("digitizer", "digit")]
    [InlineData("vietnamization", "vietnam")]
    [InlineData("predication", "predic")]
    [InlineData("operator", "oper")]
    [InlineData("feudalism", "feudal")]
    [InlineData("decisiveness", "decis")]
    [InlineData("hopefulness", "hope")]
    [InlineData("callousness", "callous")]
    [InlineData("formaliti", "formal")]
    [InlineData("sensitiviti", "sensit")]
    [InlineData("sensibiliti", "sensibl")]
    [InlineData("triplicate", "triplic")]
    [InlineData("formative", "form")]
    [InlineData("formalize", "formal")]
    [InlineData("electrical", "electr")]
    [InlineData("goodness", "good")]
    [InlineData("revival", "reviv")]
    [InlineData("allowance", "allow")]
    [InlineData("inference", "infer")]
    [InlineData("airliner", "airlin")]
    [InlineData("gyroscopic", "gyroscop")]
    [InlineData("adjustable", "adjust")]
    [InlineData("defensible", "defens")]
    [InlineData("irritant", "irrit")]
    [InlineData("replacement", "replac")]
    [InlineData("adjustment", "adjust")]
    [InlineData("dependent", "depend")]
    [InlineData("adoption", "adopt")]
    [InlineData("communism", "commun")]
    [InlineData("activate", "activ")]
    [InlineData("homologous", "homolog")]
    [InlineData("effective", "effect")]
    [InlineData("bowdlerize", "bowdler")]
    [InlineData("probate", "probat")]
    [InlineData("rate", "rate")]
    [InlineData("cease", "ceas")]
    [InlineData("controll", "control")]
    [InlineData("roll", "roll")]
    [InlineData("generalization", "gener")]
    [InlineData("generalizations", "gener")]
    [InlineData("oscillators", "oscil")]
    [InlineData("hopefully", "hopefulli")]
    [InlineData("regulations", "regul")]
    [InlineData("governance", "govern")]
    [InlineData("policies", "polici")]
    public void Stem_PorterExamples_MatchReference(string word, string expected) =>
        Assert.Equal(expected, Stem(word));

    // The two departures of Porter's reference C implementation (and Lucene's PorterStemmer) from the paper.
    [Theory]
    [InlineData("assembly", "assembl")] // -bli → -ble (paper: -abli → -able gives "assembli")
    [InlineData("technology", "technolog")] // -logi → -log
    [InlineData("technologies", "technolog")]
    public void Stem_ReferenceImplementationDepartures_Applied(string word, string expected) =>
        Assert.Equal(expected, Stem(word));

    [Theory]
    [InlineData("a")]
    [InlineData("ai")]
    [InlineData("is")]
    public void Stem_OneOrTwoLetters_Unchanged(string word) =>
        Assert.Equal(word, Stem(word));

    [Fact]
    public void Terms_EnglishInflections_ShareStem()
    {
        var analyzer = TextAnalyzer.Default;
        Assert.Equal(analyzer.Terms("regulation"), analyzer.Terms("Regulations"));
        Assert.Equal(analyzer.Terms("governing"), analyzer.Terms("governs"));
        Assert.Equal(analyzer.Terms("policy"), analyzer.Terms("policies"));
    }
}

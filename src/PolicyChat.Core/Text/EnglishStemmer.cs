using System.Runtime.CompilerServices;

namespace PolicyChat.Core.Text;

/// <summary>
/// The Porter (1980) stemmer, a faithful port of Martin Porter's ANSI C reference implementation (the one Lucene's
/// PorterStemmer follows), including its two documented departures from the paper: -bli → -ble and -logi → -log.
/// Works in place on lower-case ASCII letters; words of one or two letters are left alone.
/// </summary>
internal static class EnglishStemmer
{
    /// <summary>Stems <paramref name="word"/> in place and returns the new length (never longer than the input).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Stem(Span<char> word)
    {
        if (word.Length <= 2)
        {
            return word.Length;
        }
        var state = new Porter(word);
        return state.Run();
    }

    private ref struct Porter
    {
        private readonly Span<char> _b;
        private int _k; // end of the word (inclusive)
        private int _j; // general offset into the word

        public Porter(Span<char> word)
        {
            _b = word;
            _k = word.Length - 1;
            _j = 0;
        }

        public int Run()
        {
            Step1ab();
            if (_k > 0)
            {
                Step1c();
                Step2();
                Step3();
                Step4();
                Step5();
            }
            return _k + 1;
        }

        // True when b[i] is a consonant; y is a consonant at the start or after a vowel.
        private readonly bool Cons(int i)
        {
            switch (_b[i])
            {
                case 'a':
                case 'e':
                case 'i':
                case 'o':
                case 'u':
                    return false;
                case 'y':
                    return i == 0 || !Cons(i - 1);
                default:
                    return true;
            }
        }

        // The number of VC sequences in b[0..j].
        private readonly int M()
        {
            int n = 0;
            int i = 0;
            while (true)
            {
                if (i > _j)
                {
                    return n;
                }
                if (!Cons(i))
                {
                    break;
                }
                i++;
            }
            i++;
            while (true)
            {
                while (true)
                {
                    if (i > _j)
                    {
                        return n;
                    }
                    if (Cons(i))
                    {
                        break;
                    }
                    i++;
                }
                i++;
                n++;
                while (true)
                {
                    if (i > _j)
                    {
                        return n;
                    }
                    if (!Cons(i))
                    {
                        break;
                    }
                    i++;
                }
                i++;
            }
        }

        private readonly bool VowelInStem()
        {
            for (int i = 0; i <= _j; i++)
            {
                if (!Cons(i))
                {
                    return true;
                }
            }
            return false;
        }

        private readonly bool DoubleC(int j) => j >= 1 && _b[j] == _b[j - 1] && Cons(j);

        // consonant-vowel-consonant ending at i, the last consonant not w, x or y.
        private readonly bool Cvc(int i)
        {
            if (i < 2 || !Cons(i) || Cons(i - 1) || !Cons(i - 2))
            {
                return false;
            }
            char ch = _b[i];
            return ch is not ('w' or 'x' or 'y');
        }

        private bool Ends(string s)
        {
            int length = s.Length;
            if (length > _k + 1 || _b[_k] != s[length - 1])
            {
                return false;
            }
            if (!_b.Slice(_k - length + 1, length).SequenceEqual(s))
            {
                return false;
            }
            _j = _k - length;
            return true;
        }

        private void SetTo(string s)
        {
            s.AsSpan().CopyTo(_b[(_j + 1)..]);
            _k = _j + s.Length;
        }

        private void R(string s)
        {
            if (M() > 0)
            {
                SetTo(s);
            }
        }

        // Plurals and -ed / -ing.
        private void Step1ab()
        {
            if (_b[_k] == 's')
            {
                if (Ends("sses"))
                {
                    _k -= 2;
                }
                else if (Ends("ies"))
                {
                    SetTo("i");
                }
                else if (_b[_k - 1] != 's')
                {
                    _k--;
                }
            }
            if (Ends("eed"))
            {
                if (M() > 0)
                {
                    _k--;
                }
            }
            else if ((Ends("ed") || Ends("ing")) && VowelInStem())
            {
                _k = _j;
                if (Ends("at"))
                {
                    SetTo("ate");
                }
                else if (Ends("bl"))
                {
                    SetTo("ble");
                }
                else if (Ends("iz"))
                {
                    SetTo("ize");
                }
                else if (DoubleC(_k))
                {
                    _k--;
                    char ch = _b[_k];
                    if (ch is 'l' or 's' or 'z')
                    {
                        _k++;
                    }
                }
                else if (M() == 1 && Cvc(_k))
                {
                    SetTo("e");
                }
            }
        }

        // Terminal y → i when there is another vowel in the stem.
        private void Step1c()
        {
            if (Ends("y") && VowelInStem())
            {
                _b[_k] = 'i';
            }
        }

        // Double suffixes → single ones.
        private void Step2()
        {
            switch (_b[_k - 1])
            {
                case 'a':
                    if (Ends("ational")) { R("ate"); break; }
                    if (Ends("tional")) { R("tion"); break; }
                    break;
                case 'c':
                    if (Ends("enci")) { R("ence"); break; }
                    if (Ends("anci")) { R("ance"); break; }
                    break;
                case 'e':
                    if (Ends("izer")) { R("ize"); break; }
                    break;
                case 'l':
                    if (Ends("bli")) { R("ble"); break; }
                    if (Ends("alli")) { R("al"); break; }
                    if (Ends("entli")) { R("ent"); break; }
                    if (Ends("eli")) { R("e"); break; }
                    if (Ends("ousli")) { R("ous"); break; }
                    break;
                case 'o':
                    if (Ends("ization")) { R("ize"); break; }
                    if (Ends("ation")) { R("ate"); break; }
                    if (Ends("ator")) { R("ate"); break; }
                    break;
                case 's':
                    if (Ends("alism")) { R("al"); break; }
                    if (Ends("iveness")) { R("ive"); break; }
                    if (Ends("fulness")) { R("ful"); break; }
                    if (Ends("ousness")) { R("ous"); break; }
                    break;
                case 't':
                    if (Ends("aliti")) { R("al"); break; }
                    if (Ends("iviti")) { R("ive"); break; }
                    if (Ends("biliti")) { R("ble"); break; }
                    break;
                case 'g':
                    if (Ends("logi")) { R("log"); break; }
                    break;
                default:
                    break;
            }
        }

        // -ic-, -full, -ness etc.
        private void Step3()
        {
            switch (_b[_k])
            {
                case 'e':
                    if (Ends("icate")) { R("ic"); break; }
                    if (Ends("ative")) { R(""); break; }
                    if (Ends("alize")) { R("al"); break; }
                    break;
                case 'i':
                    if (Ends("iciti")) { R("ic"); break; }
                    break;
                case 'l':
                    if (Ends("ical")) { R("ic"); break; }
                    if (Ends("ful")) { R(""); break; }
                    break;
                case 's':
                    if (Ends("ness")) { R(""); break; }
                    break;
                default:
                    break;
            }
        }

        // -ant, -ence etc. in context <c>vcvc<v>.
        private void Step4()
        {
            bool matched = _b[_k - 1] switch
            {
                'a' => Ends("al"),
                'c' => Ends("ance") || Ends("ence"),
                'e' => Ends("er"),
                'i' => Ends("ic"),
                'l' => Ends("able") || Ends("ible"),
                'n' => Ends("ant") || Ends("ement") || Ends("ment") || Ends("ent"),
                'o' => (Ends("ion") && _j >= 0 && _b[_j] is 's' or 't') || Ends("ou"),
                's' => Ends("ism"),
                't' => Ends("ate") || Ends("iti"),
                'u' => Ends("ous"),
                'v' => Ends("ive"),
                'z' => Ends("ize"),
                _ => false,
            };
            if (matched && M() > 1)
            {
                _k = _j;
            }
        }

        // Final -e and -ll.
        private void Step5()
        {
            _j = _k;
            if (_b[_k] == 'e')
            {
                int a = M();
                if (a > 1 || (a == 1 && !Cvc(_k - 1)))
                {
                    _k--;
                }
            }
            if (_b[_k] == 'l' && DoubleC(_k) && M() > 1)
            {
                _k--;
            }
        }
    }
}

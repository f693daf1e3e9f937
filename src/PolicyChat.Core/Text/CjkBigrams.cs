namespace PolicyChat.Core.Text;

/// <summary>
/// Chinese/Japanese runs become overlapping character bigrams (a one-character run stays one unigram), the standard
/// dictionary-free approach (as Lucene's CJKBigramFilter). A character outside the BMP counts as one character.
/// </summary>
internal static class CjkBigrams
{
    /// <summary>Enumerates (start, length) in <paramref name="text"/> of each bigram of the run.</summary>
    public static Enumerator Enumerate(ReadOnlySpan<char> text, int runStart, int runLength) =>
        new(text, runStart, runStart + runLength);

    internal ref struct Enumerator
    {
        private readonly ReadOnlySpan<char> _text;
        private readonly int _end;
        private int _first;
        private bool _started;

        public Enumerator(ReadOnlySpan<char> text, int start, int end)
        {
            _text = text;
            _first = start;
            _end = end;
        }

        public (int Start, int Length) Current { get; private set; }

        public readonly Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_first >= _end)
            {
                return false;
            }
            int firstWidth = Width(_first);
            int second = _first + firstWidth;
            if (second >= _end)
            {
                if (_started)
                {
                    return false;
                }
                _started = true;
                Current = (_first, firstWidth);
                _first = _end;
                return true;
            }
            _started = true;
            Current = (_first, firstWidth + Width(second));
            _first = second;
            return true;
        }

        private readonly int Width(int index) =>
            char.IsHighSurrogate(_text[index]) && index + 1 < _end && char.IsLowSurrogate(_text[index + 1]) ? 2 : 1;
    }
}

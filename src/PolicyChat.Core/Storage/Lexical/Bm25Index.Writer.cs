using System.Runtime.CompilerServices;

namespace PolicyChat.Core.Storage.Lexical;

public sealed partial class Bm25Index
{
    /// <summary>
    /// Adds and removes documents under the index's write lock. A document's terms are given one by one between
    /// <see cref="BeginAdd"/> (or <see cref="BeginRemove"/>, with the same terms it was added with) and <see cref="End"/>.
    /// </summary>
    public sealed class Writer : IDisposable
    {
        private readonly Bm25Index _index;
        private readonly List<int> _ids = new(2048);
        private int _doc = -1;
        private bool _removing;
        private bool _createTerms;
        private int _length;
        private bool _disposed;

        internal Writer(Bm25Index index) => _index = index;

        public void BeginAdd(int doc) => Begin(doc, removing: false);

        public void BeginRemove(int doc) => Begin(doc, removing: true);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per gram: skip tier-0 code in short ingestion runs
        public void Add(ReadOnlySpan<char> term)
        {
            if (_doc < 0)
            {
                throw new InvalidOperationException("Call BeginAdd or BeginRemove before adding terms.");
            }
            if (term.IsEmpty)
            {
                return;
            }
            _length++;
            var id = _createTerms ? _index.AddTerm(term) : _index.FindTerm(term);
            if (id < 0)
            {
                return;
            }
            if (_index._terms[id].Count++ == 0)
            {
                _ids.Add(id);
            }
        }

        public void End()
        {
            if (_doc < 0)
            {
                throw new InvalidOperationException("No document was begun.");
            }
            var doc = _doc;
            _doc = -1;
            if (_removing)
            {
                _index.RemoveDocument(doc, _ids);
            }
            else
            {
                _index.AddPostings(doc, _ids, _length);
            }
            _ids.Clear();
        }

        /// <summary>Releases slack left by a bulk load.</summary>
        public void TrimExcess() => _index.Trim();

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            try
            {
                _index.ClearCounts(_ids); // a document begun and not ended leaves nothing behind
                _index.CompactIfWorthIt();
            }
            finally
            {
                _index._lock.ExitWriteLock();
            }
        }

        private void Begin(int doc, bool removing)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(doc);
            if (_doc >= 0)
            {
                throw new InvalidOperationException($"Document {_doc} was not ended.");
            }
            _doc = doc;
            _removing = removing;
            // A removed document's terms are all known: in memory, or in a segment (then an in-memory entry records the change).
            _createTerms = !removing || _index._segments.Length > 0;
            _length = 0;
            _ids.Clear();
        }
    }
}

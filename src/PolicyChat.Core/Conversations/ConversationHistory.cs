using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PolicyChat.Core.Answering;

namespace PolicyChat.Core.Conversations;

/// <summary>
/// The conversations readers see in their history, with every answer's sources, citations and feedback, in SQLite
/// (the conversation store's file, own tables). Each conversation belongs to one owner: the hash of a per-browser
/// identity, so nothing of one browser is visible from another without its identity. Every method takes the identity
/// and finds nothing that belongs to another.
/// </summary>
public sealed class ConversationHistory(ConversationOptions options)
{
    public const int MaxTitleChars = 200;
    public const int MaxTurns = 500;
    public const int MaxListed = 200;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(options.Path),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
    }.ToString();

    private int _initialized;

    /// <summary>An identity is 16–128 letters, digits, '-' or '_' (the page makes 32 random hex digits).</summary>
    public static bool IsValidIdentity(string? identity) =>
        identity is { Length: >= 16 and <= 128 } && identity.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The title a conversation gets from its first question: one line, at most <see cref="MaxTitleChars"/>.</summary>
    public static string TitleFrom(string question)
    {
        var line = string.Join(' ', (question ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= MaxTitleChars ? line : line[..(MaxTitleChars - 1)].TrimEnd() + "…";
    }

    /// <summary>
    /// Appends a turn to the identity's conversation (creating it, titled by the question). Returns the turn's index, or
    /// null when the conversation belongs to another identity or is full.
    /// </summary>
    public async Task<int?> RecordAsync(string identity, string conversationId, HistoryTurn turn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var owner = Owner(identity);
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        string? existingOwner;
        await using (var find = Command(connection, tx, "SELECT owner FROM history_conversations WHERE id=$id;", ("$id", conversationId)))
        {
            existingOwner = await find.ExecuteScalarAsync(cancellationToken) as string;
        }
        if (existingOwner is not null && existingOwner != owner)
        {
            return null;
        }
        var at = Text(turn.At);
        if (existingOwner is null)
        {
            await using var create = Command(connection, tx,
                "INSERT INTO history_conversations(id, owner, title, created, updated) VALUES($id, $owner, $title, $at, $at);",
                ("$id", conversationId), ("$owner", owner), ("$title", TitleFrom(turn.Question)), ("$at", at));
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        int index;
        await using (var next = Command(connection, tx, "SELECT COALESCE(MAX(idx) + 1, 0) FROM history_turns WHERE conversation_id=$id;", ("$id", conversationId)))
        {
            index = Convert.ToInt32(await next.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        if (index >= MaxTurns)
        {
            return null;
        }
        var record = JsonSerializer.Serialize(new StoredTurn(turn.Passages, turn.Citations, turn.UnsupportedClaims), s_json);
        await using (var insert = Command(connection, tx,
            """
            INSERT INTO history_turns(conversation_id, idx, at, question, answer, mode, language, notice, record)
            VALUES($id, $idx, $at, $question, $answer, $mode, $language, $notice, $record);
            UPDATE history_conversations SET updated=$at WHERE id=$id;
            """,
            ("$id", conversationId), ("$idx", index), ("$at", at), ("$question", turn.Question), ("$answer", turn.Answer),
            ("$mode", turn.Mode), ("$language", turn.Language), ("$notice", turn.Notice), ("$record", record)))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return index;
    }

    /// <summary>The identity's conversations, newest first (at most <see cref="MaxListed"/>).</summary>
    public async Task<IReadOnlyList<ConversationSummary>> ListAsync(string identity, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null,
            """
            SELECT c.id, c.title, c.created, c.updated, (SELECT COUNT(*) FROM history_turns t WHERE t.conversation_id = c.id)
            FROM history_conversations c WHERE c.owner=$owner ORDER BY c.updated DESC, c.id LIMIT $max;
            """,
            ("$owner", Owner(identity)), ("$max", MaxListed));
        var list = new List<ConversationSummary>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new ConversationSummary(r.GetString(0), r.GetString(1), Moment(r.GetString(2)), Moment(r.GetString(3)), r.GetInt32(4)));
        }
        return list;
    }

    /// <summary>The conversation with its turns, or null when the identity has none with this id.</summary>
    public async Task<ConversationRecord?> GetAsync(string identity, string conversationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        ConversationSummary? head;
        await using (var find = Command(connection, null,
            "SELECT title, created, updated FROM history_conversations WHERE id=$id AND owner=$owner;",
            ("$id", conversationId), ("$owner", Owner(identity))))
        {
            await using var r = await find.ExecuteReaderAsync(cancellationToken);
            head = await r.ReadAsync(cancellationToken)
                ? new ConversationSummary(conversationId, r.GetString(0), Moment(r.GetString(1)), Moment(r.GetString(2)), 0)
                : null;
        }
        if (head is null)
        {
            return null;
        }
        var turns = new List<HistoryTurn>();
        await using (var cmd = Command(connection, null,
            """
            SELECT idx, at, question, answer, mode, language, notice, record, rating, comment, feedback_at
            FROM history_turns WHERE conversation_id=$id ORDER BY idx;
            """, ("$id", conversationId)))
        {
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                var stored = JsonSerializer.Deserialize<StoredTurn>(r.GetString(7), s_json) ?? new StoredTurn([], [], []);
                var feedback = r.IsDBNull(8) ? null : new TurnFeedback(r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), Moment(r.GetString(10)));
                turns.Add(new HistoryTurn(r.GetInt32(0), Moment(r.GetString(1)), r.GetString(2), r.GetString(3), Nullable(r, 4), Nullable(r, 5),
                    Nullable(r, 6), stored.Passages ?? [], stored.Citations ?? [], stored.UnsupportedClaims ?? [], feedback));
            }
        }
        return new ConversationRecord(conversationId, head.Title, head.CreatedAt, head.UpdatedAt, turns);
    }

    /// <summary>Renames the identity's conversation; false when it has none with this id.</summary>
    public async Task<bool> RenameAsync(string identity, string conversationId, string title, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null, "UPDATE history_conversations SET title=$title WHERE id=$id AND owner=$owner;",
            ("$title", TitleFrom(title)), ("$id", conversationId), ("$owner", Owner(identity)));
        return await cmd.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Deletes the identity's conversation and its turns; false when it has none with this id.</summary>
    public async Task<bool> DeleteAsync(string identity, string conversationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var cmd = Command(connection, tx, "DELETE FROM history_conversations WHERE id=$id AND owner=$owner;",
            ("$id", conversationId), ("$owner", Owner(identity)));
        if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }
        await using var turns = Command(connection, tx, "DELETE FROM history_turns WHERE conversation_id=$id;", ("$id", conversationId));
        await turns.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Sets (or replaces) the rating of turn <paramref name="index"/>; false when the identity has no such turn.</summary>
    public async Task<bool> SetFeedbackAsync(string identity, string conversationId, int index, string rating, string? comment,
        DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (!TurnFeedback.IsRating(rating))
        {
            throw new ArgumentException("The rating must be 'up' or 'down'.", nameof(rating));
        }
        var text = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (text is { Length: > TurnFeedback.MaxCommentChars })
        {
            throw new ArgumentException($"The comment must be at most {TurnFeedback.MaxCommentChars} characters.", nameof(comment));
        }
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null,
            """
            UPDATE history_turns SET rating=$rating, comment=$comment, feedback_at=$at
            WHERE conversation_id=$id AND idx=$idx AND EXISTS (SELECT 1 FROM history_conversations WHERE id=$id AND owner=$owner);
            """,
            ("$rating", rating), ("$comment", text), ("$at", Text(at)), ("$id", conversationId), ("$idx", index), ("$owner", Owner(identity)));
        return await cmd.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Every rated answer of every identity, oldest rating first, read one at a time (for evaluation).</summary>
    public async IAsyncEnumerable<FeedbackCase> ReadFeedbackAsync(string? rating = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null,
            """
            SELECT conversation_id, idx, at, question, answer, mode, language, record, rating, comment, feedback_at
            FROM history_turns WHERE rating IS NOT NULL AND ($rating IS NULL OR rating=$rating) ORDER BY feedback_at, conversation_id, idx;
            """, ("$rating", rating));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            var stored = JsonSerializer.Deserialize<StoredTurn>(r.GetString(7), s_json);
            yield return new FeedbackCase(r.GetString(0), r.GetInt32(1), Moment(r.GetString(2)), r.GetString(3), r.GetString(4), Nullable(r, 5),
                Nullable(r, 6), stored?.Citations ?? [], r.GetString(8), Nullable(r, 9), Moment(r.GetString(10)));
        }
    }

    /// <summary>The stored owner of an identity: its SHA-256, so the database never holds the identity itself.</summary>
    internal static string Owner(string identity)
    {
        if (!IsValidIdentity(identity))
        {
            throw new ArgumentException("The identity is not valid.", nameof(identity));
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }

    private static string Text(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Moment(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static string? Nullable(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return cmd;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var firstOpen = Volatile.Read(ref _initialized) == 0;
        if (firstOpen)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(options.Path));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = firstOpen
            ? """
              PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000;
              CREATE TABLE IF NOT EXISTS history_conversations(
                id TEXT PRIMARY KEY,
                owner TEXT NOT NULL,
                title TEXT NOT NULL,
                created TEXT NOT NULL,
                updated TEXT NOT NULL);
              CREATE INDEX IF NOT EXISTS history_conversations_owner ON history_conversations(owner, updated);
              CREATE TABLE IF NOT EXISTS history_turns(
                conversation_id TEXT NOT NULL,
                idx INTEGER NOT NULL,
                at TEXT NOT NULL,
                question TEXT NOT NULL,
                answer TEXT NOT NULL,
                mode TEXT,
                language TEXT,
                notice TEXT,
                record TEXT NOT NULL,
                rating TEXT,
                comment TEXT,
                feedback_at TEXT,
                PRIMARY KEY(conversation_id, idx));
              CREATE INDEX IF NOT EXISTS history_turns_rated ON history_turns(feedback_at) WHERE rating IS NOT NULL;
              """
            : "PRAGMA busy_timeout=30000;";
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        if (firstOpen)
        {
            Volatile.Write(ref _initialized, 1);
        }
        return connection;
    }

    private sealed record StoredTurn(IReadOnlyList<Passage>? Passages, IReadOnlyList<Citation>? Citations, IReadOnlyList<string>? UnsupportedClaims);
}

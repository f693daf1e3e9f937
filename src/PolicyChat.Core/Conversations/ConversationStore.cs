using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PolicyChat.Core.Conversations;

public sealed record ConversationMessage(string Role, string Content, DateTimeOffset At);

public sealed record ConversationOptions
{
    /// <summary>SQLite file for conversation history (kept apart from the index so either can be rebuilt alone).</summary>
    public string Path { get; init; } = Hosting.DataDirectory.ConversationsPath; // beside the index by default
}

/// <summary>Conversation history per conversation id in SQLite, bounded to the most recent messages.</summary>
public sealed class ConversationStore(ConversationOptions options, int maxMessages = 20)
{
    public const string User = "user";
    public const string Assistant = "assistant";

    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = System.IO.Path.GetFullPath(options.Path),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
    }.ToString();

    private int _initialized;

    public static string NewId() => Guid.NewGuid().ToString("N");

    public async Task<IReadOnlyList<ConversationMessage>> GetAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT role, content, at FROM messages WHERE conversation_id=$id ORDER BY seq;";
        cmd.Parameters.AddWithValue("$id", conversationId);
        var list = new List<ConversationMessage>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new ConversationMessage(r.GetString(0), r.GetString(1), DateTimeOffset.Parse(r.GetString(2), CultureInfo.InvariantCulture)));
        }
        return list;
    }

    /// <summary>Appends messages and trims the conversation to the most recent <c>maxMessages</c>, in one transaction.</summary>
    public async Task AppendAsync(string conversationId, IReadOnlyList<ConversationMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        foreach (var m in messages)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO messages(conversation_id, role, content, at) VALUES($id, $role, $content, $at);";
            insert.Parameters.AddWithValue("$id", conversationId);
            insert.Parameters.AddWithValue("$role", m.Role);
            insert.Parameters.AddWithValue("$content", m.Content);
            insert.Parameters.AddWithValue("$at", m.At.ToString("O", CultureInfo.InvariantCulture));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var trim = connection.CreateCommand())
        {
            trim.Transaction = tx;
            trim.CommandText =
                """
                DELETE FROM messages WHERE conversation_id=$id AND seq NOT IN
                  (SELECT seq FROM messages WHERE conversation_id=$id ORDER BY seq DESC LIMIT $max);
                """;
            trim.Parameters.AddWithValue("$id", conversationId);
            trim.Parameters.AddWithValue("$max", maxMessages);
            await trim.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Forgets a conversation's messages (its history entry was deleted).</summary>
    public async Task DeleteAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "DELETE FROM messages WHERE conversation_id=$id;";
        cmd.Parameters.AddWithValue("$id", conversationId);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var firstOpen = Volatile.Read(ref _initialized) == 0;
        if (firstOpen)
        {
            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(options.Path));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        if (firstOpen)
        {
            // Schema once per store instance; later opens only set the per-connection busy timeout.
            cmd.CommandText =
                """
                PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000;
                CREATE TABLE IF NOT EXISTS messages(
                  seq INTEGER PRIMARY KEY AUTOINCREMENT,
                  conversation_id TEXT NOT NULL,
                  role TEXT NOT NULL,
                  content TEXT NOT NULL,
                  at TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS messages_conversation ON messages(conversation_id, seq);
                """;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            Volatile.Write(ref _initialized, 1);
            return connection;
        }
        cmd.CommandText = "PRAGMA busy_timeout=30000;";
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}

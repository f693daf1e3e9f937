using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;

namespace PolicyChat.Core.Tests.Storage.Sqlite;

/// <summary>The shared store contract, run against the embedded SQLite store (always).</summary>
public sealed class SqliteContractTests : IndexStoreContractTests
{
    protected override async Task<IIndexStore> CreateStoreAsync()
    {
        var store = new SqliteIndexStore(new SqliteIndexOptions { Path = Path.Combine(TestPaths.NewTempDirectory(), "contract.db") });
        await store.InitializeAsync();
        return store;
    }
}

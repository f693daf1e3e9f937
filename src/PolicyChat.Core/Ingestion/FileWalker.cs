using PolicyChat.Core.Documents;

namespace PolicyChat.Core.Ingestion;

/// <summary>The files a walk found, in order, and the entries it skipped with the reason (links, FIFOs, devices).</summary>
public sealed record WalkedFiles(IReadOnlyList<string> Files, IReadOnlyList<IngestionResult> Skipped);

/// <summary>
/// Expands the paths given to ingestion into the files to read. Each real folder is walked once (identified by device
/// and inode, so links to "." or to a parent cannot loop) and each real file is read once. Symbolic links inside a
/// folder are not followed unless <c>followLinks</c> is set: a link whose target lies inside the ingested folders is
/// skipped because the target is read under its real path, a link out of them (to /etc/passwd, /dev/zero) is skipped
/// with a hint. Only regular files are returned: FIFOs, devices and sockets are reported as skipped, never opened.
/// A path named explicitly is taken as given, links included.
/// </summary>
public static class FileWalker
{
    public const string LinkOutsideReason = "skipped: symbolic link out of the ingested folders (use --follow-links to follow it)";
    public const string LinkInsideReason = "skipped: symbolic link inside the ingested folders (its target is read under its real path)";
    public const string BrokenLinkReason = "skipped: broken symbolic link";
    public const string NulReason = "refused: the file name contains a NUL character";

    public static WalkedFiles Walk(IEnumerable<string> paths, bool followLinks = false)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        var skipped = new List<IngestionResult>();
        var seenFiles = new HashSet<(ulong, ulong)>();
        var seenPaths = new HashSet<string>(StringComparer.Ordinal);
        var seenDirectories = new HashSet<(ulong, ulong)>();
        var inputs = paths.ToList();
        var roots = inputs.Where(p => !DisplayNames.IsRefused(p))
            .Select(p => FileKinds.Resolve(Path.GetFullPath(p)))
            .Where(id => id.Kind == FileKind.Directory)
            .Select(id => (id.Device, id.Inode))
            .ToHashSet();

        void Skip(string path, string reason) => skipped.Add(new IngestionResult(path, null, IngestionStatus.Skipped, 0, reason, TimeSpan.Zero));

        void AddFile(string path, FileIdentity identity)
        {
            if ((identity.Inode == 0 || seenFiles.Add((identity.Device, identity.Inode))) && seenPaths.Add(path))
            {
                files.Add(path);
            }
        }

        foreach (var input in inputs)
        {
            if (DisplayNames.IsRefused(input))
            {
                skipped.Add(new IngestionResult(input.Replace('\0', '?'), null, IngestionStatus.Failed, 0, NulReason, TimeSpan.Zero));
                continue;
            }
            var full = Path.GetFullPath(input);
            var target = FileKinds.Resolve(full);
            switch (target.Kind)
            {
                case FileKind.Directory:
                    WalkDirectory(full, target);
                    break;
                case FileKind.RegularFile:
                    AddFile(full, target);
                    break;
                case FileKind.Missing when FileKinds.Examine(full).Kind == FileKind.SymbolicLink:
                    Skip(full, BrokenLinkReason);
                    break;
                case FileKind.Missing:
                    // The pipeline reports "file not found" for it.
                    if (seenPaths.Add(full))
                    {
                        files.Add(full);
                    }
                    break;
                default:
                    Skip(full, FileKinds.NotRegularReason(target.Kind));
                    break;
            }
        }
        return new WalkedFiles(files, skipped);

        void WalkDirectory(string top, FileIdentity topIdentity)
        {
            if (!seenDirectories.Add((topIdentity.Device, topIdentity.Inode)) && topIdentity.Inode != 0)
            {
                return;
            }
            var first = files.Count;
            var pending = new Stack<string>();
            pending.Push(top);
            while (pending.Count > 0)
            {
                var directory = pending.Pop();
                var subdirectories = new List<string>();
                foreach (var entry in Entries(directory))
                {
                    var self = FileKinds.Examine(entry);
                    var identity = self;
                    if (self.Kind == FileKind.SymbolicLink)
                    {
                        identity = FileKinds.Resolve(entry);
                        if (!Considered(entry, identity.Kind))
                        {
                            continue;
                        }
                        if (identity.Kind == FileKind.Missing)
                        {
                            Skip(entry, BrokenLinkReason);
                            continue;
                        }
                        if (!followLinks)
                        {
                            Skip(entry, IsInside(entry, roots) ? LinkInsideReason : LinkOutsideReason);
                            continue;
                        }
                    }
                    if (!Considered(entry, identity.Kind))
                    {
                        continue;
                    }
                    switch (identity.Kind)
                    {
                        case FileKind.Directory:
                            if (seenDirectories.Add((identity.Device, identity.Inode)) || identity.Inode == 0)
                            {
                                subdirectories.Add(entry);
                            }
                            break;
                        case FileKind.RegularFile:
                            AddFile(entry, identity);
                            break;
                        default:
                            Skip(entry, FileKinds.NotRegularReason(identity.Kind));
                            break;
                    }
                }
                // Depth-first in name order: push in reverse so the first name is walked first.
                for (var i = subdirectories.Count - 1; i >= 0; i--)
                {
                    pending.Push(subdirectories[i]);
                }
            }
            // A folder's files in path order, as before the walk existed.
            files.Sort(first, files.Count - first, StringComparer.Ordinal);
        }
    }

    /// <summary>Folders are walked; files count when ingestion reads their type and they are not a folder's README.</summary>
    private static bool Considered(string path, FileKind kind) =>
        kind == FileKind.Directory
        || (DocumentLoader.SupportedExtensions.Contains(Path.GetExtension(path))
            && !Path.GetFileNameWithoutExtension(path).Equals("README", StringComparison.OrdinalIgnoreCase));

    private static List<string> Entries(string directory)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions
            {
                RecurseSubdirectories = false,
                IgnoreInaccessible = true,
                AttributesToSkip = 0,
                ReturnSpecialDirectories = false,
            }).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// Whether a link's final target lies inside one of the roots: the target or one of its ancestor folders is a
    /// root (compared by device and inode, so links anywhere along the way do not matter).
    /// </summary>
    private static bool IsInside(string link, HashSet<(ulong, ulong)> roots)
    {
        string? current;
        try
        {
            current = new FileInfo(link).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        }
        catch (IOException)
        {
            return false;
        }
        for (var depth = 0; current is not null && depth < 256; depth++)
        {
            var id = FileKinds.Resolve(current);
            if (id.Kind == FileKind.Directory && roots.Contains((id.Device, id.Inode)))
            {
                return true;
            }
            current = Path.GetDirectoryName(current);
        }
        return false;
    }
}

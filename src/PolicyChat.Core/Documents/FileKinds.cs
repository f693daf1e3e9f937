using Mono.Unix.Native;

namespace PolicyChat.Core.Documents;

/// <summary>What a path is on disk, from lstat/stat (Mono.Unix), so that only regular files are ever opened.</summary>
public enum FileKind { Missing, RegularFile, Directory, SymbolicLink, Fifo, CharacterDevice, BlockDevice, Socket, Other }

/// <summary>A path's kind and identity (device, inode): the identity lets a walk visit each real file or folder once.</summary>
public readonly record struct FileIdentity(FileKind Kind, ulong Device, ulong Inode);

public static class FileKinds
{
    /// <summary>The path itself (a symbolic link is reported as a link). Missing when it does not exist or cannot be examined.</summary>
    public static FileIdentity Examine(string path) => Stat(path, followLinks: false);

    /// <summary>What the path finally points to (links followed). Missing for a broken link.</summary>
    public static FileIdentity Resolve(string path) => Stat(path, followLinks: true);

    /// <summary>Words for a kind that is not read ("FIFO", "character device"), used in skip reasons.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "FIFO (named pipe)",
        FileKind.CharacterDevice => "character device",
        FileKind.BlockDevice => "block device",
        FileKind.Socket => "socket",
        FileKind.Directory => "directory",
        FileKind.SymbolicLink => "symbolic link",
        FileKind.Missing => "missing file",
        _ => "special file",
    };

    /// <summary>The skip reason for a path that is not a regular file.</summary>
    public static string NotRegularReason(FileKind kind) => $"skipped: not a regular file ({Describe(kind)})";

    private static FileIdentity Stat(string path, bool followLinks)
    {
        if (string.IsNullOrEmpty(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            return new FileIdentity(FileKind.Missing, 0, 0);
        }
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return FallbackStat(path, followLinks);
        }
        var rc = followLinks ? Syscall.stat(path, out var buf) : Syscall.lstat(path, out buf);
        if (rc != 0)
        {
            return new FileIdentity(FileKind.Missing, 0, 0);
        }
        var kind = (buf.st_mode & FilePermissions.S_IFMT) switch
        {
            FilePermissions.S_IFREG => FileKind.RegularFile,
            FilePermissions.S_IFDIR => FileKind.Directory,
            FilePermissions.S_IFLNK => FileKind.SymbolicLink,
            FilePermissions.S_IFIFO => FileKind.Fifo,
            FilePermissions.S_IFCHR => FileKind.CharacterDevice,
            FilePermissions.S_IFBLK => FileKind.BlockDevice,
            FilePermissions.S_IFSOCK => FileKind.Socket,
            _ => FileKind.Other,
        };
        return new FileIdentity(kind, buf.st_dev, buf.st_ino);
    }

    /// <summary>Windows has no FIFOs or device files under a folder: regular files, folders and links are all there is.</summary>
    private static FileIdentity FallbackStat(string path, bool followLinks)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists)
        {
            return new FileIdentity(FileKind.Missing, 0, 0);
        }
        if (info.LinkTarget is not null)
        {
            if (!followLinks)
            {
                return new FileIdentity(FileKind.SymbolicLink, 0, 0);
            }
            info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
            if (!info.Exists)
            {
                return new FileIdentity(FileKind.Missing, 0, 0);
            }
        }
        var id = (ulong)StringComparer.OrdinalIgnoreCase.GetHashCode(info.FullName);
        return new FileIdentity(info is DirectoryInfo ? FileKind.Directory : FileKind.RegularFile, 0, id);
    }
}

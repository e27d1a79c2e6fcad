using System.Runtime.InteropServices;

namespace Atelier.Training;

/// <summary>
/// Puts a whole file under a name that only one process may ever claim. File.Move(overwrite: false) is no help on
/// Unix: .NET checks that the name is free and then renames, so two claimants can both "win" (measured: 2-3 of four
/// threads). link(2) makes the name point at the finished file, or fails with EEXIST, in one step.
/// </summary>
internal static partial class ExclusiveFile
{
    /// <summary>Gives the finished file <paramref name="source"/> the name <paramref name="target"/>; false when that name is taken.</summary>
    /// <remarks>The source stays (unless moved by the fallback); the caller deletes it. Where link(2) does not work (Windows, or a file system without hard links), Windows' MoveFile is atomic and the rest fall back to .NET's move.</remarks>
    public static bool TryLink(string source, string target)
    {
        if (OperatingSystem.IsWindows()) return TryMove(source, target);
        if (link(source, target) == 0) return true;
        int error = Marshal.GetLastPInvokeError();
        if (error == EEXIST) return false;
        if (error is EXDEV or EPERM or ENOTSUP or ENOSYS or EMLINK) return TryMove(source, target);
        throw new IOException($"Cannot create '{target}': {Marshal.GetPInvokeErrorMessage(error)}.");
    }

    private static bool TryMove(string source, string target)
    {
        try
        {
            File.Move(source, target, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(target))
        {
            return false;
        }
    }

    private const int EPERM = 1, EEXIST = 17, EXDEV = 18, EMLINK = 31, ENOSYS = 38, ENOTSUP = 95;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string oldpath, string newpath);
}

namespace Atelier.Cli;

/// <summary>Checks a path the user typed before it is opened, so a folder given for a file (or the reverse) is said as such.</summary>
public static class UserPaths
{
    /// <param name="option">how the path was given ("--config", "the image"), for the message.</param>
    public static string File(string path, string option, string what)
    {
        if (path.Trim().Length == 0) throw new UsageException($"{option} needs {A(what)}, got an empty value.");
        if (Directory.Exists(path)) throw new UsageException($"{option}: '{path}' is a folder, not {A(what)}.");
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{option}: the {what} '{path}' does not exist.");
        return path;
    }

    public static string Folder(string path, string option, string what)
    {
        if (path.Trim().Length == 0) throw new UsageException($"{option} needs {A(what)}, got an empty value.");
        if (System.IO.File.Exists(path)) throw new UsageException($"{option}: '{path}' is a file, not {A(what)}.");
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{option}: the {what} '{path}' does not exist.");
        return path;
    }

    private static string A(string what) => ("aeiou".Contains(what[0]) ? "an " : "a ") + what;
}

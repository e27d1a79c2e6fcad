namespace Atelier.Tests.Fuzzing;

/// <summary>
/// A fresh folder for the fuzzers' files: in /dev/shm when there is one, as each case writes and reads a file and a
/// RAM disk keeps thousands of cases within seconds; else under the system temp folder.
/// </summary>
internal static class FuzzFolder
{
    public static string Create()
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string dir = Path.Combine(root, "atelier-fuzz", Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            dir = Path.Combine(Path.GetTempPath(), "atelier-fuzz", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
        }
        return dir;
    }
}

namespace Atelier.Tuning;

// TEMPORARY until the storage branch merges.
public static class StudyStorages
{
    public static IStudyStorage Open(string url, bool readOnly = false) => new InMemoryStudyStorage();
}

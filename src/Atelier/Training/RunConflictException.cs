namespace Atelier.Training;

/// <summary>
/// A run cannot do what was asked in the state it is in: resuming a finished run, or one that another process is
/// training right now. The message says which run and what to do instead.
/// </summary>
public sealed class RunConflictException(string message) : Exception(message);

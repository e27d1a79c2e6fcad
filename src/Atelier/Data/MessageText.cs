namespace Atelier.Data;

internal static class MessageText
{
    /// <summary>Another exception's message as a clause inside our one sentence: lowercase start, no final period.</summary>
    public static string AsClause(string message)
    {
        message = message.TrimEnd('.', ' ');
        return message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message;
    }
}

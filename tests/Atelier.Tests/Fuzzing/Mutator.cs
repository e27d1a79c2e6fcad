using System.Buffers.Binary;
using System.Globalization;

namespace Atelier.Tests.Fuzzing;

/// <summary>
/// Seeded byte-level mutations of a valid file: bit flips, interesting bytes, truncation, insertion, deletion,
/// splices with another valid file and header-field overwrites with big or negative 32-bit integers. Each one is
/// described in words, so a failing case can be read (and rerun from its seed) without a debugger.
/// </summary>
internal sealed class Mutator(Random random)
{
    private static readonly byte[] InterestingBytes = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE];

    private static readonly int[] InterestingInts =
        [0, -1, 1, int.MaxValue, int.MinValue, int.MaxValue - 1, 0x40000000, 0x10000, 0xFFFF, 0x7FFF, -0x10000, 255, 256, 28, 1000000];

    public Random Random { get; } = random;

    /// <summary>One random mutation of <paramref name="data"/>, appended to <paramref name="log"/>.</summary>
    /// <param name="fieldArea">bytes at the start where header fields live: int32 overwrites land there more often.</param>
    public byte[] Mutate(byte[] data, byte[] other, List<string> log, int fieldArea = 32, bool bigEndian = true)
    {
        switch (Random.Next(8))
        {
            case 0 when data.Length > 0:
            {
                int at = Random.Next(data.Length), bit = Random.Next(8);
                var result = (byte[])data.Clone();
                result[at] ^= (byte)(1 << bit);
                log.Add($"flip bit {bit} of byte {at}");
                return result;
            }
            case 1 when data.Length > 0:
            {
                int at = Random.Next(data.Length);
                byte value = InterestingBytes[Random.Next(InterestingBytes.Length)];
                var result = (byte[])data.Clone();
                result[at] = value;
                log.Add($"byte {at} := 0x{value:X2}");
                return result;
            }
            case 2:
            {
                int length = Random.Next(data.Length + 1);
                log.Add($"truncate to {length} bytes");
                return data[..length];
            }
            case 3:
            {
                int at = Random.Next(data.Length + 1), count = 1 + Random.Next(Random.Next(2) == 0 ? 4 : 64);
                var inserted = new byte[count];
                bool interesting = Random.Next(2) == 0;
                for (int i = 0; i < count; i++) inserted[i] = interesting ? InterestingBytes[Random.Next(InterestingBytes.Length)] : (byte)Random.Next(256);
                log.Add($"insert {count} {(interesting ? "interesting" : "random")} bytes at {at} ({Convert.ToHexString(inserted[..Math.Min(count, 8)])}...)");
                return [.. data[..at], .. inserted, .. data[at..]];
            }
            case 4 when data.Length > 0:
            {
                int at = Random.Next(data.Length), count = 1 + Random.Next(Math.Min(data.Length - at, Random.Next(2) == 0 ? 4 : 256));
                log.Add($"delete {count} bytes at {at}");
                return [.. data[..at], .. data[(at + count)..]];
            }
            case 5:
            {
                int cut = Random.Next(data.Length + 1), from = Random.Next(other.Length + 1);
                log.Add($"splice: first {cut} bytes, then the other seed file from byte {from}");
                return [.. data[..cut], .. other[from..]];
            }
            default:
            {
                if (data.Length < 4) goto case 2;
                int limit = Random.Next(3) > 0 ? Math.Min(fieldArea, data.Length) - 3 : data.Length - 3;
                int at = Random.Next(Math.Max(limit, 1));
                if (Random.Next(2) == 0) at &= ~3; // header fields are usually aligned
                int value = Random.Next(3) == 0 ? Random.Next(int.MinValue, int.MaxValue) : InterestingInts[Random.Next(InterestingInts.Length)];
                var result = (byte[])data.Clone();
                if (bigEndian) BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(at), value);
                else BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(at), value);
                log.Add(string.Create(CultureInfo.InvariantCulture, $"int32 {(bigEndian ? "BE" : "LE")} at {at} := {value}"));
                return result;
            }
        }
    }

    /// <summary>One to three stacked mutations, so that a fix for one field does not hide the next.</summary>
    public byte[] MutateSeveral(byte[] data, byte[] other, List<string> log, int fieldArea = 32, bool bigEndian = true)
    {
        int count = 1 + (Random.Next(4) == 0 ? Random.Next(1, 3) : 0);
        for (int i = 0; i < count; i++) data = Mutate(data, other, log, fieldArea, bigEndian);
        return data;
    }
}

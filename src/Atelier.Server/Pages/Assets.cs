using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Atelier.Server.Pages;

/// <summary>
/// The pages' script and style, embedded in the assembly and served from /assets/NAME. Only names embedded at build
/// time are served, so no request can reach a file on disk.
/// </summary>
public static class Assets
{
    private const string Prefix = "Atelier.Server.Pages.Assets.";

    private static readonly Dictionary<string, (byte[] Bytes, string Type, string Version)> Files = Load();

    /// <summary>The asset's address with a content hash, so a browser never runs a stale script after an upgrade.</summary>
    public static string Url(string name) => $"/assets/{name}?v={Files[name].Version}";

    public static void Map(WebApplication app) => app.MapGet("/assets/{name}", (string name, HttpContext context) =>
    {
        if (!Files.TryGetValue(name, out var file)) return Layout.NotFound($"There is no asset named \"{name}\".");
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(file.Bytes, file.Type);
    });

    private static Dictionary<string, (byte[], string, string)> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            byte[] bytes = copy.ToArray();
            string name = resource[Prefix.Length..];
            string type = name.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            files[name] = (bytes, type, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes))[..12].ToLowerInvariant());
        }
        return files;
    }
}

using System.Net;
using System.Text.Json;

namespace Atelier.Tests.Server.Api;

/// <summary>What every API answer must be: JSON, and for an error, problem JSON with one sentence and no trace.</summary>
public static class ApiAssert
{
    public static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.StartsWith("application/", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A problem answer: its status, one sentence as title (returned), no stack trace or exception name.</summary>
    public static async Task<string> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)expected, json.GetProperty("status").GetInt32());
        string title = json.GetProperty("title").GetString()!;
        Assert.Matches(@"^[A-Z0-9?<'\""].*[.?]$", title);
        Assert.DoesNotContain("   at ", body);
        Assert.DoesNotContain("Exception", body);
        return title;
    }
}

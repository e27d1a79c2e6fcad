using System.Text;
using Microsoft.AspNetCore.Http;

namespace Atelier.Server.Pages;

/// <summary>The frame every page shares: head, the navigation, and its scripts as files (the CSP allows no inline script).</summary>
public static class Layout
{
    public static IResult Page(string title, string body, params string[] scripts) => Page(title, body, StatusCodes.Status200OK, scripts);

    public static IResult Page(string title, string body, int status, params string[] scripts)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
          .Append("<title>").Append(Html.E(title)).Append(" · Atelier</title>")
          .Append("<link rel=\"icon\" href=\"data:,\">") // no favicon request, so no 404 in the console
          .Append("<link rel=\"stylesheet\" href=\"").Append(Assets.Url("atelier.css")).Append("\">");
        foreach (var script in scripts) sb.Append("<script defer src=\"").Append(Assets.Url(script)).Append("\"></script>");
        sb.Append("</head><body><nav><a class=\"brand\" href=\"/\">Atelier</a><a href=\"/\">Runs</a><a href=\"/studies\">Studies</a><a href=\"/predict\">Predict</a></nav><main>\n")
          .Append(body)
          .Append("\n</main></body></html>\n");
        return Results.Content(sb.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>A 404 page saying what was not found, in one sentence.</summary>
    public static IResult NotFound(string sentence) =>
        Page("Not found", $"<h1>Not found</h1><p class=\"error\">{Html.E(sentence)}</p><p><a href=\"/\">All runs</a></p>", StatusCodes.Status404NotFound);
}

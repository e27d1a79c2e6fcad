using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Atelier.Server.Api;

/// <summary>
/// Every error the API answers is RFC 9457 problem JSON whose `title` is one sentence saying what went wrong and what
/// to do; never a stack trace, never an HTML page.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Of(int status, string sentence) => TypedResults.Problem(title: sentence, statusCode: status);

    public static ProblemHttpResult NotFound(string sentence) => Of(StatusCodes.Status404NotFound, sentence);

    public static ProblemHttpResult BadRequest(string sentence) => Of(StatusCodes.Status400BadRequest, sentence);

    /// <summary>Writes a problem straight to the response, for middleware that runs outside an endpoint.</summary>
    public static Task WriteAsync(HttpContext context, int status, string sentence)
    {
        context.Response.StatusCode = status;
        return Of(status, sentence).ExecuteAsync(context);
    }
}

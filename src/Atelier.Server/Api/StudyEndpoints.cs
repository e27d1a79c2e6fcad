using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Atelier.Server.Api;

/// <summary>
/// /api/v1/studies: reserved for `atelier tune`, which is not built yet; until then there are no studies, so the list
/// is empty and any study is unknown. Clients can rely on the address now.
/// </summary>
public static class StudyEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        var studies = v1.MapGroup("/studies").WithTags("studies");
        studies.MapGet("", () => TypedResults.Ok(Array.Empty<object>())).WithName("ListStudies").WithSummary("Studies (none until `atelier tune` exists).");
        studies.MapGet("/{**name}", (string name) => Problems.NotFound($"No study is named '{RunEndpoints.Shorten(name)}': this Atelier has no studies yet (`atelier tune` makes them)."))
            .WithName("GetStudy");
    }
}

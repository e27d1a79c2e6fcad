using Atelier.Server.Prediction;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Atelier.Server.Api;

/// <summary>A model the server predicts with; <see cref="Default"/> is the one used without ?model=.</summary>
public sealed record ModelSummary(string Name, string Model, string? RunId, int InputSize, IReadOnlyList<string> Classes, bool Default);

/// <summary>/api/v1/models: the models loaded at start-up, for a client (the predict page) to pick from.</summary>
public static class ModelEndpoints
{
    public static void Map(RouteGroupBuilder v1) =>
        v1.MapGroup("/models").WithTags("predict").MapGet("", List).WithName("ListModels").WithSummary("The models POST /api/v1/predict can use.");

    public static Ok<List<ModelSummary>> List(ServedModels models) =>
        TypedResults.Ok(models.All.Select((m, i) => new ModelSummary(m.Name, m.Checkpoint.ModelName, m.RunId, m.Side, m.ClassNames, i == 0)).ToList());
}

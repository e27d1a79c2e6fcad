using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Atelier.Server.Api;

/// <summary>
/// The predict body in the OpenAPI document. Not `.Accepts(...)`: that metadata makes routing refuse other content
/// types itself, before the endpoint can say in its own sentence which ones it takes.
/// </summary>
public static class PredictOpenApi
{
    public static Task DescribeBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancel)
    {
        var content = new Dictionary<string, OpenApiMediaType>();
        foreach (var type in UploadedImages.RawTypes)
            content[type] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
        content["multipart/form-data"] = new OpenApiMediaType
        {
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["images"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                },
            },
        };
        operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content, Description = "One image as the body, or several as multipart file fields." };
        return Task.CompletedTask;
    }
}

using Atelier.Nn;

namespace Atelier.Models;

/// <summary>One entry of the model zoo: a stable name, where it comes from, and how to build it.</summary>
public sealed record ModelInfo(string Name, string Source, string Description, Func<ModelOptions, Module> Builder)
{
    /// <summary>The model for these options; a switch the model has no use for is refused, not ignored.</summary>
    public Module Build(ModelOptions options)
    {
        var model = Builder(options);
        if (options.Patch > 0 && !model.Modules().Any(m => m.Module is Patchify))
            throw new ArgumentException($"--patch applies to the fully connected models (mlp, mlp-bn, mlp4, ...); {Name} reads whole images.");
        return model;
    }
}

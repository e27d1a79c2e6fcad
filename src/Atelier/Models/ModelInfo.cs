using Atelier.Nn;

namespace Atelier.Models;

/// <summary>One entry of the model zoo: a stable name, where it comes from, and how to build it.</summary>
public sealed record ModelInfo(string Name, string Source, string Description, Func<ModelOptions, Module> Build);

namespace Atelier.Tests.Packaging;

/// <summary>
/// A throw-away console project that uses Atelier as a NuGet user would: a PackageReference to the packed version,
/// found through its own nuget.config that adds the local feed beside the usual sources (no global config changes).
/// </summary>
internal static class ConsumerProject
{
    public static string Write(string folder, string feed, string version)
    {
        Directory.CreateDirectory(folder);
        // Empty Directory.* files stop MSBuild from climbing into whatever folders lie above the temporary one.
        foreach (var name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            File.WriteAllText(Path.Combine(folder, name), "<Project />\n");
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="atelier-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(folder, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Atelier" Version="[{version}]" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), Program);
        return folder;
    }

    /// <summary>
    /// The README's library example on a slice of Fashion-MNIST (one epoch of 2,000 images), then the run store, so
    /// that the SQLite native library must have come with the package's dependencies.
    /// </summary>
    private const string Program = """
        using Atelier.Autograd;
        using Atelier.Data;
        using Atelier.Experiments;
        using Atelier.Nn;
        using Atelier.Optim;
        using Atelier.Tensors;

        var (full, test) = FashionMnist.Load(args[0]);
        var train = full.Subset(Enumerable.Range(0, 2000).ToArray());
        var norm = Normalization.Compute(train);
        var model = new Sequential(new Flatten(), new Linear(784, 64), new ReLU(), new Linear(64, 10));
        model.ResetAllParameters(new Rng(42));
        var optimizer = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        var loader = new DataLoader(train, batchSize: 64, norm, shuffle: true, seed: 42);

        var losses = new List<float>();
        foreach (var batch in loader.Epoch(0))
        {
            optimizer.ZeroGrad();
            var value = loss.Forward(model.Forward(batch.Images), batch.Labels);
            value.Backward();
            optimizer.Step();
            losses.Add(value.Item());
        }

        model.Eval();
        int correct = 0;
        using (Tape.NoGrad())
        {
            var batch = new DataLoader(test, 1000, norm).Epoch(0).First();
            var logits = model.Forward(batch.Images).Span;
            for (int i = 0; i < batch.Count; i++)
            {
                var row = logits.Slice(i * 10, 10);
                int best = 0;
                for (int c = 1; c < 10; c++) if (row[c] > row[best]) best = c;
                if (best == batch.Labels[i]) correct++;
            }
        }

        using var store = new RunStore(Path.Combine(args[1], "atelier.db"));
        FormattableString line = $"first-loss {losses[0]:F4} last-loss {losses.Skip(losses.Count - 5).Average():F4} accuracy {correct / 1000.0:F3} runs {store.Runs().Count}";
        Console.WriteLine(FormattableString.Invariant(line));
        """;
}

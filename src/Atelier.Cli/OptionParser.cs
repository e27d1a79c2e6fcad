using Atelier.Training;

namespace Atelier.Cli;

/// <summary>Training options from a YAML file, with the same names as on the command line.</summary>
public static class OptionParser
{
    /// <summary>Options from a YAML mapping (`lr: 0.001`, `model: cnn-c`...); YamlOptions.Read has refused a bad name or value, naming the file and line.</summary>
    public static void ApplyYaml(string path, TrainOptions options)
    {
        foreach (var (key, value) in YamlOptions.Read(path)) TrainOptionTable.Set(options, key, value);
    }
}

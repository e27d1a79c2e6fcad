using Atelier.Data;
using Atelier.Training;

namespace Atelier.Serialization.Onnx;

/// <summary>What an exported model says about itself: the zoo name, the image it reads, its normalisation and its classes.</summary>
public sealed record OnnxModelDescription(string ModelName, int Channels, int Height, int Width, Normalization Normalization, IReadOnlyList<string> ClassNames)
{
    /// <summary>A loaded checkpoint's description; the input size is read again from its file's metadata, which holds it.</summary>
    public static OnnxModelDescription Of(Checkpoint checkpoint)
    {
        var (channels, height, width) = CheckpointMetadata.InputShape(checkpoint.Path, Safetensors.Load(checkpoint.Path).Metadata);
        return new OnnxModelDescription(checkpoint.ModelName, channels, height, width, checkpoint.Normalization, checkpoint.ClassNames);
    }
}

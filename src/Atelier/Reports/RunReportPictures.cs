using System.Globalization;
using Atelier.Autograd;
using Atelier.Data;
using Atelier.Nn;
using Atelier.Tensors;
using Atelier.Training;

namespace Atelier.Reports;

/// <summary>
/// The figures that need images: dataset samples and augmentations (from the test set) and, from a run's best
/// checkpoint, example predictions, first-layer filters and feature maps.
/// </summary>
public static class RunReportPictures
{
    /// <summary>The first <paramref name="perClass"/> test images of each class, one column per class, named.</summary>
    public static string SampleGrid(Dataset test, int perClass = 2)
    {
        int classes = test.ClassCount;
        var found = new List<int>[classes];
        for (int c = 0; c < classes; c++) found[c] = [];
        for (int i = 0, missing = classes * perClass; i < test.Count && missing > 0; i++)
        {
            int label = test.Label(i);
            if (found[label].Count < perClass) { found[label].Add(i); missing--; }
        }
        var grid = new ImageGrid { Title = $"{test.Name} samples: the first images of each class", Columns = classes, ImageSize = 56 };
        for (int row = 0; row < perClass; row++)
            for (int c = 0; c < classes; c++)
            {
                if (row < found[c].Count) grid.Add(Picture(test, found[c][row]), test.ClassNames[c]);
            }
        return grid.ToSvg();
    }

    /// <summary>One image and <paramref name="versions"/> random versions of it as the run's augmentation draws them; null when it used none.</summary>
    public static string? Augmentations(RunReportData run, Dataset test, int versions = 11)
    {
        var options = DataSplits.Augmentation(run.Options);
        if (!options.IsEnabled || test.Count == 0) return null;
        // A shirt-like class shows flips and shifts well; fall back to the first image.
        int index = 0;
        for (int i = 0; i < Math.Min(test.Count, 200); i++) if (test.Label(i) == Math.Min(2, test.ClassCount - 1)) { index = i; break; }
        var augmenter = new Augmenter(options, test.Height, test.Width, (ulong)run.Options.Seed);
        var pixels = test.Image(index);
        var original = new float[pixels.Length];
        for (int p = 0; p < original.Length; p++) original[p] = pixels[p] / 255f;
        var grid = new ImageGrid { Title = $"{run.Label}: augmentation ({Describe(options)})", Columns = 6, ImageSize = 64 };
        grid.Add(GrayImage.FromFloats(test.Width, test.Height, original), "original");
        var image = new float[original.Length];
        var scratch = new float[original.Length];
        for (int v = 1; v <= versions; v++)
        {
            original.CopyTo(image, 0);
            augmenter.Apply(image, scratch, epoch: v, sampleIndex: index);
            grid.Add(GrayImage.FromFloats(test.Width, test.Height, image), $"epoch {v}");
        }
        return grid.ToSvg();
    }

    /// <summary>
    /// Predictions of the checkpoint on test images, misclassified first (picked from the run's test_predictions.csv,
    /// else from the first images), each with its two most likely classes and their probabilities.
    /// </summary>
    public static string? Predictions(RunReportData run, Checkpoint checkpoint, Dataset test, int count = 16)
    {
        if (!Compatible(checkpoint, test)) return null;
        var (wrong, right) = Candidates(run, checkpoint, test, count);
        var shown = new List<int>();
        shown.AddRange(wrong.Take(count / 2));
        shown.AddRange(right.Take(count - shown.Count));
        if (shown.Count < count) shown.AddRange(wrong.Skip(count / 2).Take(count - shown.Count));
        if (shown.Count == 0) return null;
        var evaluation = Evaluator.Evaluate(checkpoint.Inference, new DataLoader(test.Subset(shown.ToArray()), 256, checkpoint.Normalization), test.ClassCount,
            checkpoint.Options.UsesFlipTta);
        var names = checkpoint.ClassNames;
        var grid = new ImageGrid { Title = $"{run.Label}: example predictions (misclassified first, in red)", Columns = 8, ImageSize = 64 };
        for (int k = 0; k < shown.Count; k++)
        {
            var p = evaluation.Probabilities.AsSpan(k * test.ClassCount, test.ClassCount);
            int first = ArgMax(p), second = SecondMax(p, first), actual = test.Label(shown[k]);
            string caption = string.Create(CultureInfo.InvariantCulture,
                $"{names[first]} {p[first]:0%}\n{names[second]} {p[second]:0%}\ntrue: {names[actual]}");
            grid.Add(Picture(test, shown[k]), caption, highlight: first != actual);
        }
        return grid.ToSvg();
    }

    /// <summary>Indices of misclassified and correct test images: from the run's saved predictions, else by evaluating the first ones.</summary>
    private static (List<int> Wrong, List<int> Right) Candidates(RunReportData run, Checkpoint checkpoint, Dataset test, int count)
    {
        var wrong = new List<int>();
        var right = new List<int>();
        string csv = run.Folder.File(Results.PredictionsCsv);
        if (File.Exists(csv))
        {
            foreach (var line in File.ReadLines(csv).Skip(1))
            {
                var cells = line.Split(',');
                if (cells.Length < 3 || !int.TryParse(cells[0], out int index) || !int.TryParse(cells[1], out int actual) || !int.TryParse(cells[2], out int predicted)) continue;
                if (index >= test.Count || test.Label(index) != actual) continue; // another test set than the run's
                (predicted == actual ? right : wrong).Add(index);
                if (wrong.Count >= count && right.Count >= count) break;
            }
            if (wrong.Count + right.Count > 0) return (wrong, right);
        }
        int n = Math.Min(300, test.Count);
        var first = Evaluator.Evaluate(checkpoint.Inference, new DataLoader(test.Subset(Enumerable.Range(0, n).ToArray()), 256, checkpoint.Normalization), test.ClassCount,
            checkpoint.Options.UsesFlipTta);
        for (int i = 0; i < n; i++) (first.Predicted[i] == first.Actual[i] ? right : wrong).Add(i);
        return (wrong, right);
    }

    /// <summary>The first Conv2d's kernels (input channel 0), or for an MLP the first Linear's rows as 28×28 images.</summary>
    public static string? Filters(Checkpoint checkpoint, string label, int max = 32)
    {
        foreach (var (_, module) in checkpoint.Model.Modules())
        {
            if (module is Conv2d conv)
            {
                int kh = conv.KernelSize.Height, kw = conv.KernelSize.Width, n = Math.Min(max, conv.OutChannels);
                var w = conv.Weight.Span;
                int perFilter = conv.InChannels * kh * kw;
                var grid = new ImageGrid
                {
                    Title = $"{label}: first-layer filters ({conv.OutChannels} of {kh}×{kw}{(conv.InChannels > 1 ? ", input channel 0" : "")}; dark = negative, light = positive)",
                    Columns = Math.Min(16, n), ImageSize = 40,
                };
                for (int f = 0; f < n; f++) grid.Add(GrayImage.FromFloatsAutoScaled(kw, kh, w.Slice(f * perFilter, kh * kw)), $"#{f}");
                return grid.ToSvg();
            }
            if (module is Linear linear)
            {
                int side = (int)Math.Round(Math.Sqrt(linear.InFeatures));
                if (side * side != linear.InFeatures) return null;
                int n = Math.Min(max, linear.OutFeatures);
                var w = linear.Weight.Span;
                var grid = new ImageGrid
                {
                    Title = $"{label}: first-layer weights (the first {n} of {linear.OutFeatures} units of {linear.Describe()} as {side}×{side} images)",
                    Columns = 8, ImageSize = 56,
                };
                for (int u = 0; u < n; u++) grid.Add(GrayImage.FromFloatsAutoScaled(side, side, w.Slice(u * linear.InFeatures, linear.InFeatures)), $"unit {u}");
                return grid.ToSvg();
            }
        }
        return null;
    }

    /// <summary>The channels of one test image after the first convolution and its activation (null for models without a convolution first).</summary>
    public static string? FeatureMaps(Checkpoint checkpoint, Dataset test, string label, int max = 32)
    {
        if (checkpoint.Model is not Sequential model || !Compatible(checkpoint, test) || test.Count == 0) return null;
        int convAt = -1;
        for (int i = 0; i < model.Layers.Count && convAt < 0; i++) if (model.Layers[i] is Conv2d) convAt = i;
        if (convAt < 0) return null;
        int stop = convAt;
        for (int i = convAt + 1; i < model.Layers.Count; i++)
        {
            if (model.Layers[i] is Activation) { stop = i; break; }
            if (model.Layers[i] is Conv2d or MaxPool2d or AvgPool2d or Linear or Flatten) break;
        }
        var input = new Tensor(new Shape(1, 1, test.Height, test.Width));
        var table = checkpoint.Normalization.ByteTable();
        var pixels = test.Image(0);
        var span = input.Span;
        for (int p = 0; p < span.Length; p++) span[p] = table[pixels[p]];
        Tensor output = input;
        string through = "";
        using (Tape.NoGrad())
        {
            for (int i = 0; i <= stop; i++)
            {
                output = model.Layers[i].Forward(output);
                through += (through.Length > 0 ? " → " : "") + model.Layers[i].GetType().Name;
            }
        }
        if (output.Shape.Rank != 4) return null;
        int channels = output.Shape[1], h = output.Shape[2], w = output.Shape[3], n = Math.Min(max, channels);
        var grid = new ImageGrid
        {
            Title = $"{label}: feature maps of test image 0 ({test.ClassNames[test.Label(0)]}) after {through}",
            Columns = Math.Min(8, n + 1), ImageSize = 64,
        };
        grid.Add(Picture(test, 0), "input");
        var values = output.Span;
        for (int c = 0; c < n; c++) grid.Add(GrayImage.FromFloatsAutoScaled(w, h, values.Slice(c * h * w, h * w)), $"channel {c}");
        return grid.ToSvg();
    }

    private static bool Compatible(Checkpoint checkpoint, Dataset test) =>
        checkpoint.ClassNames.Count == test.ClassCount && test.Height == 28 && test.Width == 28;

    private static GrayImage Picture(Dataset data, int index) => new(data.Width, data.Height, data.Image(index).ToArray());

    private static int ArgMax(ReadOnlySpan<float> p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    private static int SecondMax(ReadOnlySpan<float> p, int first)
    {
        int best = first == 0 ? 1 : 0;
        for (int i = 0; i < p.Length; i++) if (i != first && p[i] > p[best]) best = i;
        return best;
    }

    private static string Describe(AugmentOptions o)
    {
        var parts = new List<string>();
        if (o.CropPadding > 0) parts.Add($"random crop, padding {o.CropPadding}");
        if (o.FlipProbability > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"flip p={o.FlipProbability:0.##}"));
        if (o.RotationDegrees > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"rotation ±{o.RotationDegrees:0.#}°"));
        if (o.ErasingProbability > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"erasing p={o.ErasingProbability:0.##}"));
        return string.Join(", ", parts);
    }
}

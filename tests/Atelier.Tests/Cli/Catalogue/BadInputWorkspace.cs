using Atelier.Nn;
using Atelier.Reports;
using Atelier.Serialization;
using Atelier.Tests.Data;
using Atelier.Training;

namespace Atelier.Tests.Cli.Catalogue;

/// <summary>
/// A folder of the files a new user might hand `atelier` by mistake, built once: malformed YAML configs and
/// experiment files, damaged run folders, broken checkpoints, images and data folders, beside one good run.
/// </summary>
public sealed class BadInputWorkspace
{
    private static readonly Lazy<BadInputWorkspace> Shared = new(() => new BadInputWorkspace());

    public static BadInputWorkspace Instance => Shared.Value;

    public string Root { get; } = TestData.TempDirectory();

    /// <summary>A finished one-epoch mlp run; its best checkpoint is the template for the broken ones.</summary>
    public string GoodRun { get; }

    public string GoodCheckpoint => System.IO.Path.Combine(GoodRun, RunFolder.BestCheckpoint);

    public string GoodImage => Path(GoodImageName);

    private const string GoodImageName = "trouser.png";

    public string Path(string name) => System.IO.Path.Combine(Root, name);

    private BadInputWorkspace()
    {
        GoodRun = TrainGoodRun();
        WriteConfigs();
        WriteExperiments();
        WriteRunFolders();
        WriteCheckpoints();
        WriteImages();
        WriteDataFolders();
    }

    private string TrainGoodRun()
    {
        var options = new TrainOptions
        {
            Model = "mlp", Epochs = 1, TrainSize = 600, ValSize = 100, TestSize = 200, Augment = false, Output = Path("runs"), Name = "good",
        };
        var data = DataSplits.Create(TestData.FashionTrain, TestData.FashionTest, options);
        return new TrainingRun(options, new Quiet()).Run(data, CancellationToken.None).Folder.Path;
    }

    private void Text(string name, string text)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path(name))!);
        File.WriteAllText(Path(name), text);
    }

    private void WriteConfigs()
    {
        Text("config-unclosed.yaml", "model: {mlp\nepochs: 2\n");
        Text("config-list.yaml", "- model\n- mlp\n");
        Text("config-nested.yaml", "lr:\n  peak: 0.1\n");
        Text("config-key-mapping.yaml", "{a: 1}: 2\n");
        Text("config-unknown.yaml", "lrr: 0.1\n");
        Text("config-bad-value.yaml", "epochs: many\n");
        Text("config-out-of-range.yaml", "gamma: -1\n");
        Text("config-duplicate.yaml", "lr: 0.1\nlr: 0.2\n");
        Text("config-tabs.yaml", "model:\tmlp\n\tepochs: 2\n");
        Text("config-alias.yaml", "model: *undefined\n");
        Text("config-scalar.yaml", "just words\n");
        File.WriteAllBytes(Path("config-binary.yaml"), Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
    }

    private void WriteExperiments()
    {
        Text("exp-duplicate-labels.yaml", "name: dup\nbase: {model: mlp, epochs: 1}\nruns:\n  - {label: a, lr: 0.1}\n  - {label: a, lr: 0.2}\n");
        Text("exp-misspelt-base.yaml", "name: typo\nbsae: {model: mlp, epochs: 1}\nruns:\n  - {label: a}\n");
        Text("exp-no-runs.yaml", "name: none\nbase: {model: mlp}\n");
        Text("exp-grid-scalar.yaml", "name: g\ngrid:\n  lr: 0.1\n");
        Text("exp-grid-empty.yaml", "name: g\ngrid:\n  lr: []\n");
        Text("exp-unclosed.yaml", "name: u\nbase: {model: mlp\nruns:\n  - {label: a}\n");
        Text("exp-bad-option.yaml", "name: b\nbase: {model: mlp, lrr: 0.1}\nruns:\n  - {label: a}\n");
        Text("exp-bad-value.yaml", "name: b\nruns:\n  - {label: a, epochs: -1}\n");
        Text("exp-runs-mapping.yaml", "name: b\nruns:\n  a: 1\n");
        Text("exp-base-list.yaml", "name: b\nbase: [mlp]\nruns:\n  - {label: a}\n");
        Text("exp-empty.yaml", "");
        Text("exp-valid.yaml", "name: valid\nbase: {model: mlp, epochs: 1, train-size: 300, val-size: 100, test-size: 100}\nruns:\n  - {label: a}\n");
    }

    /// <summary>Copies of the good run with one file damaged each.</summary>
    private void WriteRunFolders()
    {
        string Copy(string name, bool unfinished)
        {
            string folder = Path(System.IO.Path.Combine("runs", name));
            Directory.CreateDirectory(folder);
            foreach (var file in Directory.GetFiles(GoodRun)) File.Copy(file, System.IO.Path.Combine(folder, System.IO.Path.GetFileName(file)));
            File.Delete(System.IO.Path.Combine(folder, RunFolder.IdentityFile));
            if (unfinished) File.Delete(System.IO.Path.Combine(folder, RunFolder.ResultsJson));
            return folder;
        }
        File.WriteAllText(System.IO.Path.Combine(Copy("bad-options", true), RunFolder.OptionsFile), "{\"model\": \"mlp\", \"epo");
        File.WriteAllText(System.IO.Path.Combine(Copy("options-array", true), RunFolder.OptionsFile), "[1, 2]");
        File.WriteAllText(System.IO.Path.Combine(Copy("options-bad-value", true), RunFolder.OptionsFile), "{\"model\": \"mlp\", \"epochs\": \"many\"}");
        File.WriteAllText(System.IO.Path.Combine(Copy("bad-metrics", true), RunFolder.HistoryJson), "{");
        File.WriteAllText(System.IO.Path.Combine(Copy("bad-resume", true), RunFolder.ResumeState), "not a safetensors file");
        File.WriteAllText(System.IO.Path.Combine(Copy("bad-identity", true), RunFolder.IdentityFile), "{\"id\": ");
        File.WriteAllText(System.IO.Path.Combine(Copy("report-bad-results", false), RunFolder.ResultsJson), "[]");
        File.WriteAllText(System.IO.Path.Combine(Copy("report-bad-metrics", false), RunFolder.HistoryJson), "[{\"epoch\": \"x\"}]");
        Directory.CreateDirectory(Path("not-a-run"));
        File.WriteAllText(Path("not-a-run/notes.txt"), "hello");
    }

    private void WriteCheckpoints()
    {
        var good = Safetensors.Load(GoodCheckpoint);
        void WithMetadata(string name, string key, string? value, Func<string, float[], float[]>? weights = null)
        {
            var metadata = good.Metadata.ToDictionary(p => p.Key, p => p.Value);
            if (value is null) metadata.Remove(key);
            else metadata[key] = value;
            var state = good.Names.Select(n =>
            {
                var tensor = good.Tensors[n];
                if (weights is null) return new StateEntry(n, tensor);
                var changed = new Tensors.Tensor(tensor.Shape);
                weights(n, tensor.Span.ToArray()).CopyTo(changed.Span);
                return new StateEntry(n, changed);
            }).ToList();
            Safetensors.Save(Path(name), state, metadata);
        }
        WithMetadata("ckpt-bad-classes.safetensors", "atelier.classes", "T-shirt, Trouser");
        WithMetadata("ckpt-classes-numbers.safetensors", "atelier.classes", "[1, 2, 3]");
        WithMetadata("ckpt-bad-input.safetensors", "atelier.input", "1,twenty-eight,28");
        WithMetadata("ckpt-bad-mean.safetensors", "atelier.mean", "abc");
        WithMetadata("ckpt-zero-std.safetensors", "atelier.std", "0");
        WithMetadata("ckpt-bad-options.safetensors", "atelier.options", "{\"epochs\":");
        WithMetadata("ckpt-unknown-model.safetensors", "atelier.model", "mlp-9000");
        WithMetadata("ckpt-no-model.safetensors", "atelier.model", null);
        WithMetadata("ckpt-nan.safetensors", "atelier.model", "mlp", (name, w) => name.EndsWith("weight", StringComparison.Ordinal) ? w.Select(_ => float.NaN).ToArray() : w);
        File.WriteAllText(Path("ckpt-text.safetensors"), "hello");
        var bytes = File.ReadAllBytes(GoodCheckpoint);
        File.WriteAllBytes(Path("ckpt-truncated.safetensors"), bytes[..(bytes.Length / 2)]);
        File.WriteAllBytes(Path("ckpt-empty.safetensors"), []);
    }

    private void WriteImages()
    {
        var trouser = new byte[28 * 28];
        for (int y = 4; y < 24; y++)
            for (int x = 10; x < 18; x++) trouser[y * 28 + x] = 255;
        File.WriteAllBytes(GoodImage, PngEncoder.Gray8(28, 28, trouser));
        File.WriteAllBytes(Path("blank.png"), PngEncoder.Gray8(28, 28, Enumerable.Repeat((byte)255, 28 * 28).ToArray()));
        File.WriteAllText(Path("not-an-image.png"), "not an image");
        var png = File.ReadAllBytes(GoodImage);
        File.WriteAllBytes(Path("truncated.png"), png[..(png.Length / 2)]);
        File.WriteAllBytes(Path("empty.png"), []);
        Directory.CreateDirectory(Path("image-folder.png"));
    }

    private void WriteDataFolders()
    {
        Directory.CreateDirectory(Path("data-empty"));
        string Copy(string name)
        {
            string folder = Path(name);
            Directory.CreateDirectory(folder);
            foreach (var file in Directory.GetFiles(TestData.FashionMnistDirectory, "*.gz")) File.Copy(file, System.IO.Path.Combine(folder, System.IO.Path.GetFileName(file)));
            return folder;
        }
        string truncated = System.IO.Path.Combine(Copy("data-truncated"), "train-labels-idx1-ubyte.gz");
        var labels = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, labels[..(labels.Length / 2)]);
        string flipped = System.IO.Path.Combine(Copy("data-flipped"), "t10k-labels-idx1-ubyte.gz");
        var bytes = File.ReadAllBytes(flipped);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(flipped, bytes);
        Idx("data-mismatch", TestData.ImagesIdx(600, 28, 28), TestData.Labels(500, 10), TestData.ImagesIdx(100, 28, 28), TestData.Labels(100, 10));
        Idx("data-sizes", TestData.ImagesIdx(600, 28, 28), TestData.Labels(600, 10), TestData.ImagesIdx(100, 32, 32), TestData.Labels(100, 10));
        File.WriteAllText(Path("data-file"), "not a folder");
    }

    /// <summary>A folder of the four raw IDX files, each given as the case needs it (counts or sizes that disagree).</summary>
    private void Idx(string name, byte[] trainImages, byte[] trainLabels, byte[] testImages, byte[] testLabels)
    {
        string folder = Path(name);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(System.IO.Path.Combine(folder, "train-images-idx3-ubyte"), trainImages);
        File.WriteAllBytes(System.IO.Path.Combine(folder, "train-labels-idx1-ubyte"), TestData.LabelsIdx(trainLabels));
        File.WriteAllBytes(System.IO.Path.Combine(folder, "t10k-images-idx3-ubyte"), testImages);
        File.WriteAllBytes(System.IO.Path.Combine(folder, "t10k-labels-idx1-ubyte"), TestData.LabelsIdx(testLabels));
    }

    private sealed class Quiet : ITrainingObserver;
}

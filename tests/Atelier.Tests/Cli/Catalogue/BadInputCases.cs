namespace Atelier.Tests.Cli.Catalogue;

/// <summary>
/// The catalogue: command lines a new user might type, each wrong in one way, with a fragment of the sentence it
/// must get (null: any one clear sentence). In the arguments, {ws} is the workspace of bad files, {out} a fresh
/// output folder, {ckpt} a good checkpoint, {run} a good run and {img} a good image.
/// </summary>
public static class BadInputCases
{
    public static TheoryData<string, string?, string[]> All()
    {
        var data = new TheoryData<string, string?, string[]>();
        foreach (var (name, fragment, args) in Cases()) data.Add(name, fragment, args);
        return data;
    }

    /// <summary>A tiny run's settings, added where the case does not set them: a case that wrongly trains fails in a second.</summary>
    private static readonly (string Option, string Value)[] Tiny = [("--model", "mlp"), ("--epochs", "1"), ("--train-size", "300"), ("--val-size", "100"), ("--test-size", "100")];

    private static (string, string?, string[]) Train(string name, string? fragment, params string[] args) =>
        (name, fragment, ["train", .. args, "--output", "{out}", .. Tiny.Where(t => !args.Contains(t.Option)).SelectMany(t => new[] { t.Option, t.Value })]);

    private static (string, string?, string[]) Case(string name, string? fragment, params string[] args) => (name, fragment, args);

    private static IEnumerable<(string Name, string? Fragment, string[] Args)> Cases()
    {
        // Every training option out of its range or not parsable, named as the user wrote it.
        yield return Train("epochs 0", "--epochs must be", "--epochs", "0");
        yield return Train("epochs huge", "--epochs must be", "--epochs", "1000000");
        yield return Train("epochs text", "--epochs needs a whole number", "--epochs", "ten");
        yield return Train("epochs fraction", "--epochs needs a whole number", "--epochs", "2.5");
        yield return Train("epochs overflow", "--epochs needs a whole number", "--epochs", "99999999999");
        yield return Train("batch 0", "--batch-size must be", "--batch-size", "0");
        yield return Train("batch 10^9", "--batch-size must be", "--batch-size", "1000000000");
        yield return Train("batch negative", "--batch-size must be", "--batch-size", "-64");
        yield return Train("lr 0", "--lr must be", "--lr", "0");
        yield return Train("lr negative", "--lr must be", "--lr", "-0.1");
        yield return Train("lr NaN", "--lr needs a number", "--lr", "NaN");
        yield return Train("lr infinity", "--lr needs a number", "--lr", "Infinity");
        yield return Train("lr comma decimal", "--lr needs a number", "--lr", "0,01");
        yield return Train("lr huge", "--lr must be", "--lr", "1e9");
        yield return Train("momentum 1", "--momentum must be", "--momentum", "1");
        yield return Train("momentum negative", "--momentum must be", "--momentum", "-0.5");
        yield return Train("beta1 5", "--beta1 must be", "--beta1", "5");
        yield return Train("beta2 1", "--beta2 must be", "--beta2", "1");
        yield return Train("weight decay negative", "--weight-decay must be", "--weight-decay", "-1");
        yield return Train("weight decay huge", "--weight-decay must be", "--weight-decay", "5");
        yield return Train("gamma negative", "--gamma is a decay factor", "--gamma", "-1");
        yield return Train("gamma 0", "--gamma is a decay factor", "--gamma", "0");
        yield return Train("step size 0", "--step-size must be", "--step-size", "0");
        yield return Train("warmup beyond epochs", "--warmup-epochs must be", "--epochs", "3", "--warmup-epochs", "3");
        yield return Train("warmup negative", "--warmup-epochs must be", "--warmup-epochs", "-1");
        yield return Train("label smoothing 1", "--label-smoothing must be", "--label-smoothing", "1");
        yield return Train("dropout 1", "--dropout must be", "--dropout", "1");
        yield return Train("dropout text", "--dropout needs a number", "--dropout", "half");
        yield return Train("patch negative", "--patch must be", "--patch", "-7");
        yield return Train("patch on a cnn", "--patch applies to the fully connected models", "--model", "cnn", "--patch", "7");
        yield return Train("patch that does not tile", "must tile the image", "--model", "mlp4", "--patch", "6");
        yield return Train("bn-recalibrate negative", "--bn-recalibrate must be", "--bn-recalibrate", "-1");
        yield return Train("crop padding huge", "--crop-padding must be", "--crop-padding", "100");
        yield return Train("rotate negative", "--rotate must be", "--rotate", "-10");
        yield return Train("rotate huge", "--rotate must be", "--rotate", "720");
        yield return Train("erase 2", "--erase is a probability", "--erase", "2");
        yield return Train("dropout doubled past 1", "--dropout 0.5 is too high for cnn-deep-bn", "--model", "cnn-deep-bn", "--dropout", "0.5");
        yield return Train("ema 1", "--ema is the weight-averaging decay", "--ema", "1");
        yield return Train("ema negative", "--ema is the weight-averaging decay", "--ema", "-0.5");
        yield return Train("ema not a number", "--ema", "--ema", "slow");
        yield return Train("mixup negative", "--mixup is the Beta", "--mixup", "-0.2");
        yield return Train("mixup huge", "--mixup is the Beta", "--mixup", "1e6");
        yield return Train("mixup not a number", "--mixup", "--mixup", "lots");
        yield return Train("cutmix negative", "--cutmix is the Beta", "--cutmix", "-1");
        yield return Train("mix-prob over 1", "--mix-prob is the probability", "--mix-prob", "1.5");
        yield return Train("mix-prob NaN", "--mix-prob needs a number", "--cutmix", "1", "--mix-prob", "NaN");
        yield return Train("cutmix with nll", "needs --loss cross-entropy", "--cutmix", "1", "--loss", "nll");
        yield return Train("tta unknown", "--tta must be", "--tta", "mirror");
        yield return Train("val size negative", "--val-size must be", "--val-size", "-1");
        yield return Train("val size whole set", "--val-size 60000 leaves no training images", "--val-size", "60000");
        yield return Train("train size negative", "--train-size must be", "--train-size", "-5");
        yield return Train("test size negative", "--test-size must be", "--test-size", "-5");
        yield return Train("seed negative", "--seed must be", "--seed", "-1");
        yield return Train("threads negative", "--threads must be", "--threads", "-2");
        yield return Train("threads huge", "--threads must be", "--threads", "100000");
        yield return Train("patience negative", "--patience must be", "--patience", "-1");
        yield return Train("min delta negative", "--min-delta must be", "--min-delta", "-0.1");
        yield return Train("monitor unknown", "--monitor is val-loss or val-accuracy", "--monitor", "accuracy");
        yield return Train("clip norm negative", "--clip-norm must be", "--clip-norm", "-1");
        yield return Train("unknown model", "Unknown model 'resnet-9000'", "--model", "resnet-9000");
        yield return Train("unknown optimizer", "Unknown optimizer 'adamx'", "--optimizer", "adamx");
        yield return Train("unknown schedule", "Unknown schedule 'linear'", "--schedule", "linear");
        yield return Train("unknown loss", "Unknown loss 'mse'", "--loss", "mse");
        yield return Train("unknown init", "Unknown initialisation 'glorot'", "--init", "glorot");
        yield return Train("flag with a bad value", "--augment is true or false", "--augment=maybe");
        yield return Train("name empty", "--name must not be empty", "--name", "");
        yield return Train("experiment empty", "--experiment must not be empty", "--experiment", " ");
        yield return Train("data empty", "--data must name a folder", "--data", "");
        yield return Train("experiment with a slash", "--experiment names a folder", "--experiment", "a/b");
        yield return Case("output empty", "--output must name a folder", "train", "--output", "");
        yield return Case("output is a file", "--output", "train", "--model", "mlp", "--epochs", "1", "--train-size", "600", "--val-size", "100", "--output", "{ws}/data-file/runs");

        // The command line's own shape.
        yield return Train("unknown option", "Unknown option '--foo' for `atelier train`", "--foo", "1");
        yield return Train("prefix of an option", "Did you mean '--output'?", "--out", "x");
        yield return Train("typo of an option", "Did you mean '--epochs'?", "--epocsh", "2");
        yield return Train("underscore typo", "Did you mean '--batch-size'?", "--batch-sise", "2");
        yield return Train("repeated option", "--lr is given twice", "--lr", "0.1", "--lr", "0.2");
        yield return Train("repeated flag", "--augment is given twice", "--augment", "--no-augment");
        yield return Train("value missing at the end", "--epochs needs a value", "--epochs");
        yield return Train("value missing before an option", "--epochs needs a value, but is followed by the option '--lr'", "--epochs", "--lr", "0.1");
        yield return Train("a positional argument", "Unexpected argument 'mlp'", "mlp");
        yield return Train("single-dash option", "Unknown option '-e'", "-e", "3");
        yield return Train("negated non-flag", "Unknown option '--no-lr'", "--no-lr");
        yield return Train("negated flag with a value", "takes no value", "--no-augment=true");
        yield return Case("unknown command", "Unknown command 'fit'", "fit");
        yield return Case("command typo", "Did you mean `atelier train`?", "trian");
        yield return Case("help with two commands", "takes at most one command name", "help", "train", "evaluate");
        yield return Case("response file missing", "Response file not found", "train", "@{ws}/no-such-args.txt");

        // Configuration files.
        yield return Train("config missing", "does not exist", "--config", "{ws}/no-such.yaml");
        yield return Train("config is a folder", "is a folder, not a configuration file", "--config", "{ws}");
        yield return Train("config without a value", "--config needs a value", "--config");
        yield return Train("config unclosed brace", "config-unclosed.yaml", "--config", "{ws}/config-unclosed.yaml");
        yield return Train("config is a list", "config-list.yaml", "--config", "{ws}/config-list.yaml");
        yield return Train("config nested value", "config-nested.yaml", "--config", "{ws}/config-nested.yaml");
        yield return Train("config key is a mapping", "config-key-mapping.yaml", "--config", "{ws}/config-key-mapping.yaml");
        yield return Train("config unknown option", "did you mean 'lr'?", "--config", "{ws}/config-unknown.yaml");
        yield return Train("config bad value", "--epochs needs a whole number", "--config", "{ws}/config-bad-value.yaml");
        yield return Train("config out of range", "--gamma is a decay factor", "--config", "{ws}/config-out-of-range.yaml");
        yield return Train("config duplicate key", "config-duplicate.yaml", "--config", "{ws}/config-duplicate.yaml");
        yield return Train("config with tabs", "config-tabs.yaml", "--config", "{ws}/config-tabs.yaml");
        yield return Train("config undefined alias", "config-alias.yaml", "--config", "{ws}/config-alias.yaml");
        yield return Train("config a bare scalar", "config-scalar.yaml", "--config", "{ws}/config-scalar.yaml");
        yield return Train("config binary garbage", "config-binary.yaml", "--config", "{ws}/config-binary.yaml");

        // Resuming.
        yield return Case("resume unknown run", "No run 'nope'", "train", "--resume", "nope", "--output", "{out}");
        yield return Case("resume a file", "is a file, not a run folder", "train", "--resume", "{ckpt}");
        yield return Case("resume a folder that is no run", "is not a run folder", "train", "--resume", "{ws}/not-a-run");
        yield return Case("resume a finished run", "is finished", "train", "--resume", "{run}");
        yield return Case("resume with a changed option", "--lr 0.5 would change them", "train", "--resume", "{ws}/runs/bad-metrics", "--lr", "0.5");
        yield return Case("resume with a config", "--config cannot be given beside it", "train", "--resume", "{ws}/runs/bad-metrics", "--config", "{ws}/config-unknown.yaml");
        yield return Case("resume damaged options.json", "options.json is damaged", "train", "--resume", "{ws}/runs/bad-options");
        yield return Case("resume options.json an array", "options.json is damaged", "train", "--resume", "{ws}/runs/options-array");
        yield return Case("resume options.json bad value", "options.json is damaged", "train", "--resume", "{ws}/runs/options-bad-value");
        yield return Case("resume damaged metrics.json", "metrics.json is damaged", "train", "--resume", "{ws}/runs/bad-metrics");
        yield return Case("resume damaged resume state", "resume.safetensors", "train", "--resume", "{ws}/runs/bad-resume");
        yield return Case("resume damaged run.json", "run.json is damaged", "train", "--resume", "{ws}/runs/bad-identity");

        // Data folders.
        yield return Train("data missing", "does not exist", "--data", "{ws}/no-such-folder");
        yield return Train("data is a file", "data-file", "--data", "{ws}/data-file");
        yield return Train("data folder empty", "lacks", "--data", "{ws}/data-empty");
        yield return Train("data truncated", "train-labels-idx1-ubyte", "--data", "{ws}/data-truncated");
        yield return Train("data flipped byte", "t10k-labels-idx1-ubyte", "--data", "{ws}/data-flipped");
        yield return Train("data images and labels disagree", "600 images", "--data", "{ws}/data-mismatch");
        yield return Train("data train and test sizes differ", "32x32", "--data", "{ws}/data-sizes");

        // evaluate
        yield return Case("evaluate without a run", "Usage: atelier evaluate", "evaluate");
        yield return Case("evaluate two runs", "One run or checkpoint at a time", "evaluate", "{run}", "{run}");
        yield return Case("evaluate an option it does not use", "Unknown option '--lr' for `atelier evaluate`", "evaluate", "{run}", "--lr", "5");
        yield return Case("evaluate unknown run", "No checkpoint 'nope'", "evaluate", "nope");
        yield return Case("evaluate a folder without checkpoint", "No checkpoint", "evaluate", "{ws}/not-a-run");
        yield return Case("evaluate bad tta", "--tta must be", "evaluate", "{run}", "--tta", "both");
        yield return Case("evaluate negative test size", "--test-size must be", "evaluate", "{run}", "--test-size", "-1");
        yield return Case("evaluate a text file", "ckpt-text.safetensors", "evaluate", "{ws}/ckpt-text.safetensors");
        yield return Case("evaluate an empty file", "ckpt-empty.safetensors", "evaluate", "{ws}/ckpt-empty.safetensors");
        yield return Case("evaluate a truncated checkpoint", "ckpt-truncated.safetensors", "evaluate", "{ws}/ckpt-truncated.safetensors");
        yield return Case("evaluate classes not JSON", "atelier.classes", "evaluate", "{ws}/ckpt-bad-classes.safetensors");
        yield return Case("evaluate classes numbers", "atelier.classes", "evaluate", "{ws}/ckpt-classes-numbers.safetensors");
        yield return Case("evaluate input not numbers", "atelier.input", "evaluate", "{ws}/ckpt-bad-input.safetensors");
        yield return Case("evaluate mean not a number", "atelier.mean", "evaluate", "{ws}/ckpt-bad-mean.safetensors");
        yield return Case("evaluate std zero", "atelier.std", "evaluate", "{ws}/ckpt-zero-std.safetensors");
        yield return Case("evaluate options not JSON", "atelier.options", "evaluate", "{ws}/ckpt-bad-options.safetensors");
        yield return Case("evaluate unknown model", "mlp-9000", "evaluate", "{ws}/ckpt-unknown-model.safetensors");
        yield return Case("evaluate no model", "names no model", "evaluate", "{ws}/ckpt-no-model.safetensors");
        yield return Case("evaluate NaN weights", "NaN", "evaluate", "{ws}/ckpt-nan.safetensors");

        // predict
        yield return Case("predict without arguments", "Usage: atelier predict", "predict");
        yield return Case("predict without an image", "No image given", "predict", "{ckpt}");
        yield return Case("predict top 0", "--top must be", "predict", "{ckpt}", "{img}", "--top", "0");
        yield return Case("predict top text", "--top must be", "predict", "{ckpt}", "{img}", "--top", "three");
        yield return Case("predict top beyond the classes", "more than the 10 classes", "predict", "{ckpt}", "{img}", "--top", "11");
        yield return Case("predict top without value", "--top needs a value", "predict", "{ckpt}", "{img}", "--top");
        yield return Case("predict an option it does not use", "Unknown option '--lr' for `atelier predict`", "predict", "{ckpt}", "{img}", "--lr", "1");
        yield return Case("predict unknown checkpoint", "No checkpoint", "predict", "{ws}/nope.safetensors", "{img}");
        yield return Case("predict NaN weights", "NaN", "predict", "{ws}/ckpt-nan.safetensors", "{img}");
        yield return Case("predict a text file as image", "not-an-image.png", "predict", "{ckpt}", "{ws}/not-an-image.png");
        yield return Case("predict a truncated image", "truncated.png", "predict", "{ckpt}", "{ws}/truncated.png");
        yield return Case("predict an empty image", "empty.png", "predict", "{ckpt}", "{ws}/empty.png");
        yield return Case("predict a missing image", "does not exist", "predict", "{ckpt}", "{ws}/missing.png");
        yield return Case("predict a folder as image", "is a folder", "predict", "{ckpt}", "{ws}/image-folder.png");
        yield return Case("predict a blank image", "blank", "predict", "{ckpt}", "{ws}/blank.png");

        // models, summary
        yield return Case("models with an option", "Unknown option '--foo' for `atelier models`", "models", "--foo");
        yield return Case("models with an argument", "takes no argument", "models", "mlp");
        yield return Case("summary without a model", "Usage: atelier summary", "summary");
        yield return Case("summary two models", "Usage: atelier summary", "summary", "mlp", "cnn");
        yield return Case("summary unknown model", "Unknown model 'resnet-9000'", "summary", "resnet-9000");
        yield return Case("summary an option it does not use", "Unknown option '--lr' for `atelier summary`", "summary", "mlp", "--lr", "1");
        yield return Case("summary patch that does not tile", "must tile the image", "summary", "mlp4", "--patch", "6");

        // experiment
        yield return Case("experiment without a file", "Usage: atelier experiment", "experiment");
        yield return Case("experiment two files", "One experiment file at a time", "experiment", "a.yaml", "b.yaml");
        yield return Case("experiment missing file", "does not exist", "experiment", "{ws}/no-such.yaml", "--output", "{out}");
        yield return Case("experiment a folder", "is a folder", "experiment", "{ws}", "--output", "{out}");
        yield return Case("experiment scale 0", "--scale must be a number in (0, 1]", "experiment", "{ws}/exp-no-runs.yaml", "--scale", "0");
        yield return Case("experiment scale 3", "--scale must be a number in (0, 1]", "experiment", "{ws}/exp-no-runs.yaml", "--scale", "3");
        yield return Case("experiment scale text", "--scale must be a number in (0, 1]", "experiment", "{ws}/exp-no-runs.yaml", "--scale", "tenth");
        yield return Case("experiment only empty", "--only needs at least one run label", "experiment", "{ws}/exp-no-runs.yaml", "--only", ",");
        yield return Case("experiment unknown option", "Unknown option '--lr' for `atelier experiment`", "experiment", "{ws}/exp-no-runs.yaml", "--lr", "1");
        yield return Case("experiment threads negative", "--threads must be", "experiment", "{ws}/exp-no-runs.yaml", "--threads", "-1");
        yield return Case("experiment duplicate labels", "exp-duplicate-labels.yaml", "experiment", "{ws}/exp-duplicate-labels.yaml", "--output", "{out}");
        yield return Case("experiment misspelt base", "bsae", "experiment", "{ws}/exp-misspelt-base.yaml", "--output", "{out}");
        yield return Case("experiment without runs", "defines no runs", "experiment", "{ws}/exp-no-runs.yaml", "--output", "{out}");
        yield return Case("experiment grid not a list", "exp-grid-scalar.yaml", "experiment", "{ws}/exp-grid-scalar.yaml", "--output", "{out}");
        yield return Case("experiment empty grid", "exp-grid-empty.yaml", "experiment", "{ws}/exp-grid-empty.yaml", "--output", "{out}");
        yield return Case("experiment unclosed brace", "exp-unclosed.yaml", "experiment", "{ws}/exp-unclosed.yaml", "--output", "{out}");
        yield return Case("experiment unknown option inside", "lrr", "experiment", "{ws}/exp-bad-option.yaml", "--output", "{out}");
        yield return Case("experiment bad value inside", "--epochs must be", "experiment", "{ws}/exp-bad-value.yaml", "--output", "{out}");
        yield return Case("experiment runs a mapping", "exp-runs-mapping.yaml", "experiment", "{ws}/exp-runs-mapping.yaml", "--output", "{out}");
        yield return Case("experiment base a list", "exp-base-list.yaml", "experiment", "{ws}/exp-base-list.yaml", "--output", "{out}");
        yield return Case("experiment empty file", "exp-empty.yaml", "experiment", "{ws}/exp-empty.yaml", "--output", "{out}");
        yield return Case("experiment only unknown label", "--only: the experiment has no run 'zz'", "experiment", "{ws}/exp-valid.yaml", "--only", "zz", "--output", "{out}");

        // report
        yield return Case("report without a run", "Usage: atelier report", "report");
        yield return Case("report unknown run", "No run", "report", "{ws}/no-such-run");
        yield return Case("report an option it does not use", "Unknown option '--bogus' for `atelier report`", "report", "{run}", "--bogus");
        yield return Case("report output a folder", "is a folder", "report", "{run}", "-o", "{ws}");
        yield return Case("report output not html", "--output must name an .html file", "report", "{run}", "-o", "{out}/report.txt");
        yield return Case("report a folder with no runs", null, "report", "{ws}/not-a-run");
        yield return Case("report damaged results.json", "results.json", "report", "{ws}/runs/report-bad-results");
        yield return Case("report damaged metrics.json", "metrics.json", "report", "{ws}/runs/report-bad-metrics");

        // serve (each refused before anything listens)
        yield return Case("serve port out of range", "--port must be a whole number from 0 to 65535", "serve", "--port", "70000", "--runs", "{ws}/runs");
        yield return Case("serve port text", "--port must be a whole number", "serve", "--port", "http", "--runs", "{ws}/runs");
        yield return Case("serve on every address without a token", "give --token", "serve", "--host", "0.0.0.0", "--port", "0", "--runs", "{ws}/runs");
        yield return Case("serve empty token", "--token needs a secret", "serve", "--token", "", "--runs", "{ws}/runs");
        yield return Case("serve runs is a file", "is a file, not a runs folder", "serve", "--runs", "{ws}/data-file");
        yield return Case("serve an argument", "takes no argument", "serve", "runs");
        yield return Case("serve an unknown model", "nope", "serve", "--model", "nope", "--port", "0", "--runs", "{ws}/runs");
        yield return Case("serve a broken checkpoint", "ckpt-text.safetensors", "serve", "--model", "{ws}/ckpt-text.safetensors", "--port", "0", "--runs", "{ws}/runs");
        yield return Case("serve an option it does not use", "Unknown option '--lr' for `atelier serve`", "serve", "--lr", "1");

        // export
        yield return Case("export an unknown format", "--format must be onnx or safetensors", "export", "{run}", "--format", "tflite", "-o", "{out}/m.tflite");
        yield return Case("export an opset out of range", "--opset must be", "export", "{run}", "--opset", "9", "-o", "{out}/m.onnx");
        yield return Case("export a NaN checkpoint", "NaN", "export", "{ws}/ckpt-nan.safetensors", "-o", "{out}/m.onnx");

        // runs
        yield return Case("runs unknown status", "--status is one of", "runs", "--status", "dead");
        yield return Case("runs with an argument", "takes no argument", "runs", "mlp");
        yield return Case("runs missing output", "does not exist", "runs", "--output", "{ws}/no-such-folder");
        yield return Case("runs output empty", "--output needs a folder", "runs", "--output", "");
        yield return Case("runs unknown option", "Unknown option '--all' for `atelier runs`", "runs", "--all");
    }
}
